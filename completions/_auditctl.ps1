
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'auditctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'auditctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'auditctl' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List events, newest first')
            [CompletionResult]::new('browse', 'browse', [CompletionResultType]::ParameterValue, 'Browse the log in a full-screen viewer: scroll, search, filter, sort, diff, revert')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'List events matching a filter expression')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one event in full: every field, meta, the changed paths and the data')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what an event changed, as a coloured unified diff of before → after')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every event of one record, oldest first, with who changed what and when')
            [CompletionResult]::new('revert', 'revert', [CompletionResultType]::ParameterValue, 'Undo an event''s change by appending a compensating event')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export every matching event, oldest first, for auditors and SIEMs')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count events per group (--by user,action) or over time (--by day)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that the log was not edited: every leaf, checkpoint, signature, index and trigger')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print a checkpoint of the store: its origin, size and Merkle root, signed with --key')
            [CompletionResult]::new('prove', 'prove', [CompletionResultType]::ParameterValue, 'Print the inclusion proof of one event against the latest checkpoint, as JSON')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the store over the audit HTTP API (docs/REMOTE_API.md)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Manage API tokens for `serve`')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Append one event from flags')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Write a demo store of realistic events')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create an empty store')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a store to another, with seqs, ids, hashes and checkpoints')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auditctl;list' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Events by USER (repeatable, or a comma list)')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Events with ACTION, case-insensitive (e.g. UPDATE)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Events on TABLE (the resource type)')
            [CompletionResult]::new('--resource-id', '--resource-id', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--pk', '--pk', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Events from SERVICE')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Events through ORIGIN (Control Panel, Portal, API, …)')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Events with OUTCOME (success or failure)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Events from an IP address or a CIDR network (v4 or v6)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before TIME')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Events whose text contains every word of TEXT')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Events matching a filter expression (see `auditctl filter --help`)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print at most N events, N ≥ 1 [default: 50]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N events, N ≥ 1 [default: 50]')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Skip the first N events')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort by FIELD, -FIELD for descending (repeatable) [default: -time]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns to print, in order (e.g. seq,time,user,action)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Print every matching event (no limit)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every matching event (no limit)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reverse the order (oldest first by default)')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse the order (oldest first by default)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;browse' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Events by USER (repeatable, or a comma list)')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Events with ACTION, case-insensitive (e.g. UPDATE)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Events on TABLE (the resource type)')
            [CompletionResult]::new('--resource-id', '--resource-id', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--pk', '--pk', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Events from SERVICE')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Events through ORIGIN (Control Panel, Portal, API, …)')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Events with OUTCOME (success or failure)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Events from an IP address or a CIDR network (v4 or v6)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before TIME')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Events whose text contains every word of TEXT')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Events matching a filter expression (see `auditctl filter --help`)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;filter' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The filter expression (the same as EXPR, for use with --input)')
            [CompletionResult]::new('--expr', '--expr', [CompletionResultType]::ParameterName, 'The filter expression (the same as EXPR, for use with --input)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Filter JSON Lines from FILE, or stdin with -, instead of the store')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print at most N events, N ≥ 1 [default: 50]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N events, N ≥ 1 [default: 50]')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Skip the first N events')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort by FIELD, -FIELD for descending (repeatable) [default: -time]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns to print, in order (e.g. seq,time,user,action)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Print every matching event (no limit)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every matching event (no limit)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reverse the order (oldest first by default)')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse the order (oldest first by default)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns to print, in order (e.g. seq,time,user,action)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;diff' {
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Lines of context around each change')
            [CompletionResult]::new('--unified', '--unified', [CompletionResultType]::ParameterName, 'Lines of context around each change')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'unified (for people), json (the change list) or patch (RFC 6902 JSON Patch)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'unified (for people), json (the change list) or patch (RFC 6902 JSON Patch)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--stat', '--stat', [CompletionResultType]::ParameterName, 'Only the changed paths, with their old and new values')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;history' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns to print, in order (e.g. seq,time,user,action)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;revert' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: the message of the compensating event')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'The user recorded for the revert [default: $AUDITCTL_USER, else the login name]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Pipe the restored state as JSON to `sh -c CMD` and append only if it exits 0')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Append without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Append without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show the plan and whether it would be refused; append nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and whether it would be refused; append nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Revert despite conflicting later changes or an earlier revert')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;export' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Events by USER (repeatable, or a comma list)')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Events with ACTION, case-insensitive (e.g. UPDATE)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Events on TABLE (the resource type)')
            [CompletionResult]::new('--resource-id', '--resource-id', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--pk', '--pk', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Events from SERVICE')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Events through ORIGIN (Control Panel, Portal, API, …)')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Events with OUTCOME (success or failure)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Events from an IP address or a CIDR network (v4 or v6)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before TIME')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Events whose text contains every word of TEXT')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Events matching a filter expression (see `auditctl filter --help`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'csv (RFC 4180, columns of docs/SPEC.md §6), jsonl, json (one array) or cef (ArcSight)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'csv (RFC 4180, columns of docs/SPEC.md §6), jsonl, json (one array) or cef (ArcSight)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns to export, in order (csv, json, jsonl)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of stdout (`-` is stdout)')
            [CompletionResult]::new('--cursor-file', '--cursor-file', [CompletionResultType]::ParameterName, 'Export only events after the seq in FILE, then record the last exported seq there')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;stats' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Fields to group by (any event field or meta.KEY), or one of hour, day, week, month, year')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Only the N largest groups')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Events by USER (repeatable, or a comma list)')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Events with ACTION, case-insensitive (e.g. UPDATE)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Events on TABLE (the resource type)')
            [CompletionResult]::new('--resource-id', '--resource-id', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--pk', '--pk', [CompletionResultType]::ParameterName, 'Events on the record with this primary key')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Events from SERVICE')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Events through ORIGIN (Control Panel, Portal, API, …)')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Events with OUTCOME (success or failure)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Events from an IP address or a CIDR network (v4 or v6)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before TIME')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Events whose text contains every word of TEXT')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Events matching a filter expression (see `auditctl filter --help`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;verify' {
            [CompletionResult]::new('--pub', '--pub', [CompletionResultType]::ParameterName, 'Require every checkpoint to be signed by this public key (FILE.pub of --new-key)')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'A checkpoint kept elsewhere (- for stdin): the store must extend it')
            [CompletionResult]::new('--proof', '--proof', [CompletionResultType]::ParameterName, 'Check this inclusion proof (from `prove`) instead of the store')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--quick', '--quick', [CompletionResultType]::ParameterName, 'Check the log only, not the database under it (pages, indexes, the search index)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;checkpoint' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Sign the checkpoint with this private key file')
            [CompletionResult]::new('--new-key', '--new-key', [CompletionResultType]::ParameterName, 'Write a new private key to FILE (mode 0600) and its public key to FILE.pub, and stop')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The key''s name (with --new-key) [default: the store''s origin]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;prove' {
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Prove against this checkpoint (one the auditor kept) instead of the latest one')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address and port to listen on')
            [CompletionResult]::new('--tokens', '--tokens', [CompletionResultType]::ParameterName, 'The tokens file (`token new` writes it)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second each token may make (twice as many at once); beyond, 429')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send a request''s headers before it is cut off')
            [CompletionResult]::new('--body-timeout', '--body-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send a request''s body (408 after)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;token' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a token: print it once on stdout and add its hash to the tokens file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auditctl;token;new' {
            [CompletionResult]::new('--tokens', '--tokens', [CompletionResultType]::ParameterName, 'The tokens file (created when missing, mode 0600)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the token, shown in the server''s log')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope: view, view_sensitive, write, revert (or audit_log:…); repeatable')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;token;help' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a token: print it once on stdout and add its hash to the tokens file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auditctl;token;help;new' {
            break
        }
        'auditctl;token;help;help' {
            break
        }
        'auditctl;import' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Source format [default: detected from the content]')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Read JSON Lines of another application through a TOML mapping file')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--skip-invalid', '--skip-invalid', [CompletionResultType]::ParameterName, 'Import the valid records and report the invalid ones instead of failing')
            [CompletionResult]::new('--allow-redacted', '--allow-redacted', [CompletionResultType]::ParameterName, 'Import records that hold "[redacted]" as a value (from an export without --reveal), keeping the marker as text')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;record' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Who did it [default: $AUDITCTL_USER, else the login name]')
            [CompletionResult]::new('--user-type', '--user-type', [CompletionResultType]::ParameterName, 'Kind of user: user, api_token, system, portal or automation')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'What was done (CREATE, UPDATE, DELETE, LOGIN, …)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Resource type or table')
            [CompletionResult]::new('--resource-id', '--resource-id', [CompletionResultType]::ParameterName, 'Primary key of the record')
            [CompletionResult]::new('--pk', '--pk', [CompletionResultType]::ParameterName, 'Primary key of the record')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Human description')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Human description')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Client IP address')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Emitting service')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Channel: Control Panel, Portal, API, …')
            [CompletionResult]::new('--operation', '--operation', [CompletionResultType]::ParameterName, 'System-specific operation name')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'success or failure')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Extra attribute KEY=VALUE (repeatable)')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'The record before the change: JSON, @FILE or @-')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'The record after the change: JSON, @FILE or @-')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Event id [default: a new UUIDv7]')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'When it happened [default: now]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;demo' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many events to write')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How many events to write')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the generator')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Time of the last event [default: the start of the current hour]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the store file if it already holds events (only an auditctl store is replaced)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;init' {
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;copy' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The store to copy: a file or a PostgreSQL URL')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The store to copy into (created when absent)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile''s store, else ./audit.db]')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Audit API to use instead of a store file (see `auditctl serve`)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token for --remote')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Configuration profile to use [default: default_profile of the config]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page output')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show sensitive values instead of [redacted]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'auditctl;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List events, newest first')
            [CompletionResult]::new('browse', 'browse', [CompletionResultType]::ParameterValue, 'Browse the log in a full-screen viewer: scroll, search, filter, sort, diff, revert')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'List events matching a filter expression')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one event in full: every field, meta, the changed paths and the data')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what an event changed, as a coloured unified diff of before → after')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every event of one record, oldest first, with who changed what and when')
            [CompletionResult]::new('revert', 'revert', [CompletionResultType]::ParameterValue, 'Undo an event''s change by appending a compensating event')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export every matching event, oldest first, for auditors and SIEMs')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count events per group (--by user,action) or over time (--by day)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that the log was not edited: every leaf, checkpoint, signature, index and trigger')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Print a checkpoint of the store: its origin, size and Merkle root, signed with --key')
            [CompletionResult]::new('prove', 'prove', [CompletionResultType]::ParameterValue, 'Print the inclusion proof of one event against the latest checkpoint, as JSON')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the store over the audit HTTP API (docs/REMOTE_API.md)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Manage API tokens for `serve`')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Append one event from flags')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Write a demo store of realistic events')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create an empty store')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a store to another, with seqs, ids, hashes and checkpoints')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auditctl;help;list' {
            break
        }
        'auditctl;help;browse' {
            break
        }
        'auditctl;help;filter' {
            break
        }
        'auditctl;help;show' {
            break
        }
        'auditctl;help;diff' {
            break
        }
        'auditctl;help;history' {
            break
        }
        'auditctl;help;revert' {
            break
        }
        'auditctl;help;export' {
            break
        }
        'auditctl;help;stats' {
            break
        }
        'auditctl;help;verify' {
            break
        }
        'auditctl;help;checkpoint' {
            break
        }
        'auditctl;help;prove' {
            break
        }
        'auditctl;help;serve' {
            break
        }
        'auditctl;help;token' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a token: print it once on stdout and add its hash to the tokens file')
            break
        }
        'auditctl;help;token;new' {
            break
        }
        'auditctl;help;import' {
            break
        }
        'auditctl;help;record' {
            break
        }
        'auditctl;help;demo' {
            break
        }
        'auditctl;help;init' {
            break
        }
        'auditctl;help;copy' {
            break
        }
        'auditctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
