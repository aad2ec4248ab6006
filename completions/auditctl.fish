# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_auditctl_global_optspecs
    string join \n store= remote= token= profile= color= utc no-pager reveal h/help V/version
end

function __fish_auditctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_auditctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_auditctl_using_subcommand
    set -l cmd (__fish_auditctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c auditctl -n "__fish_auditctl_needs_command" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_needs_command" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_needs_command" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_needs_command" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_needs_command" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_needs_command" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_needs_command" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_needs_command" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_needs_command" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "list" -d 'List events, newest first'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "browse" -d 'Browse the log in a full-screen viewer: scroll, search, filter, sort, diff, revert'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "filter" -d 'List events matching a filter expression'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "show" -d 'Show one event in full: every field, meta, the changed paths and the data'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "diff" -d 'Show what an event changed, as a coloured unified diff of before → after'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "history" -d 'Every event of one record, oldest first, with who changed what and when'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "revert" -d 'Undo an event\'s change by appending a compensating event'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "export" -d 'Export every matching event, oldest first, for auditors and SIEMs'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "stats" -d 'Count events per group (--by user,action) or over time (--by day)'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "verify" -d 'Check that the log was not edited: every leaf, checkpoint, signature, index and trigger'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "checkpoint" -d 'Print a checkpoint of the store: its origin, size and Merkle root, signed with --key'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "prove" -d 'Print the inclusion proof of one event against the latest checkpoint, as JSON'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "serve" -d 'Serve the store over the audit HTTP API (docs/REMOTE_API.md)'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "token" -d 'Manage API tokens for `serve`'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "import" -d 'Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "record" -d 'Append one event from flags'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "demo" -d 'Write a demo store of realistic events'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "init" -d 'Create an empty store'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "copy" -d 'Copy a store to another, with seqs, ids, hashes and checkpoints'
complete -c auditctl -n "__fish_auditctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l user -d 'Events by USER (repeatable, or a comma list)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l action -d 'Events with ACTION, case-insensitive (e.g. UPDATE)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l table -d 'Events on TABLE (the resource type)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l resource-id -l pk -d 'Events on the record with this primary key' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l service -d 'Events from SERVICE' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l origin -d 'Events through ORIGIN (Control Panel, Portal, API, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l outcome -d 'Events with OUTCOME (success or failure)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l ip -d 'Events from an IP address or a CIDR network (v4 or v6)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l since -d 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l until -d 'Events before TIME' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l search -d 'Events whose text contains every word of TEXT' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l where -d 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l filter -d 'Events matching a filter expression (see `auditctl filter --help`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s n -l limit -d 'Print at most N events, N ≥ 1 [default: 50]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l offset -d 'Skip the first N events' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l sort -d 'Sort by FIELD, -FIELD for descending (repeatable) [default: -time]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s o -l format -d 'Output format [default: table]' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l columns -d 'Columns to print, in order (e.g. seq,time,user,action)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s a -l all -d 'Print every matching event (no limit)'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s r -l reverse -d 'Reverse the order (oldest first by default)'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s f -l follow -d 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l user -d 'Events by USER (repeatable, or a comma list)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l action -d 'Events with ACTION, case-insensitive (e.g. UPDATE)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l table -d 'Events on TABLE (the resource type)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l resource-id -l pk -d 'Events on the record with this primary key' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l service -d 'Events from SERVICE' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l origin -d 'Events through ORIGIN (Control Panel, Portal, API, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l outcome -d 'Events with OUTCOME (success or failure)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l ip -d 'Events from an IP address or a CIDR network (v4 or v6)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l since -d 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l until -d 'Events before TIME' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l search -d 'Events whose text contains every word of TEXT' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l where -d 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l filter -d 'Events matching a filter expression (see `auditctl filter --help`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand browse" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s e -l expr -d 'The filter expression (the same as EXPR, for use with --input)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l input -d 'Filter JSON Lines from FILE, or stdin with -, instead of the store' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s n -l limit -d 'Print at most N events, N ≥ 1 [default: 50]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l offset -d 'Skip the first N events' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l sort -d 'Sort by FIELD, -FIELD for descending (repeatable) [default: -time]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s o -l format -d 'Output format [default: table]' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l columns -d 'Columns to print, in order (e.g. seq,time,user,action)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s a -l all -d 'Print every matching event (no limit)'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s r -l reverse -d 'Reverse the order (oldest first by default)'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s f -l follow -d 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand filter" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -s o -l format -d 'Output format [default: table]' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l columns -d 'Columns to print, in order (e.g. seq,time,user,action)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -s U -l unified -d 'Lines of context around each change' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -s o -l format -d 'unified (for people), json (the change list) or patch (RFC 6902 JSON Patch)' -r -f -a "unified\t''
json\t''
patch\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l stat -d 'Only the changed paths, with their old and new values'
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand diff" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -s o -l format -d 'Output format [default: table]' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l columns -d 'Columns to print, in order (e.g. seq,time,user,action)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -s h -l help -d 'Print help'
complete -c auditctl -n "__fish_auditctl_using_subcommand history" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l reason -d 'Why: the message of the compensating event' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l as -d 'The user recorded for the revert [default: $AUDITCTL_USER, else the login name]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l exec -d 'Pipe the restored state as JSON to `sh -c CMD` and append only if it exits 0' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -s y -l yes -d 'Append without asking (required when stdin is not a terminal)'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -s n -l dry-run -d 'Show the plan and whether it would be refused; append nothing'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l force -d 'Revert despite conflicting later changes or an earlier revert'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand revert" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l user -d 'Events by USER (repeatable, or a comma list)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l action -d 'Events with ACTION, case-insensitive (e.g. UPDATE)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l table -d 'Events on TABLE (the resource type)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l resource-id -l pk -d 'Events on the record with this primary key' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l service -d 'Events from SERVICE' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l origin -d 'Events through ORIGIN (Control Panel, Portal, API, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l outcome -d 'Events with OUTCOME (success or failure)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l ip -d 'Events from an IP address or a CIDR network (v4 or v6)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l since -d 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l until -d 'Events before TIME' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l search -d 'Events whose text contains every word of TEXT' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l where -d 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l filter -d 'Events matching a filter expression (see `auditctl filter --help`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -s o -l format -d 'csv (RFC 4180, columns of docs/SPEC.md §6), jsonl, json (one array) or cef (ArcSight)' -r -f -a "csv\t''
jsonl\t''
json\t''
cef\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l columns -d 'Columns to export, in order (csv, json, jsonl)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l output -d 'Write to FILE (atomically) instead of stdout (`-` is stdout)' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l cursor-file -d 'Export only events after the seq in FILE, then record the last exported seq there' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand export" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l by -d 'Fields to group by (any event field or meta.KEY), or one of hour, day, week, month, year' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l top -d 'Only the N largest groups' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l user -d 'Events by USER (repeatable, or a comma list)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l action -d 'Events with ACTION, case-insensitive (e.g. UPDATE)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l table -d 'Events on TABLE (the resource type)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l resource-id -l pk -d 'Events on the record with this primary key' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l service -d 'Events from SERVICE' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l origin -d 'Events through ORIGIN (Control Panel, Portal, API, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l outcome -d 'Events with OUTCOME (success or failure)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l ip -d 'Events from an IP address or a CIDR network (v4 or v6)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l since -d 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l until -d 'Events before TIME' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l search -d 'Events whose text contains every word of TEXT' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l where -d 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l filter -d 'Events matching a filter expression (see `auditctl filter --help`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -s o -l format -d 'Output format [default: table]' -r -f -a "table\t''
json\t''
jsonl\t''
csv\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand stats" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l pub -d 'Require every checkpoint to be signed by this public key (FILE.pub of --new-key)' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l checkpoint -d 'A checkpoint kept elsewhere (- for stdin): the store must extend it' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l proof -d 'Check this inclusion proof (from `prove`) instead of the store' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l quick -d 'Check the log only, not the database under it (pages, indexes, the search index)'
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand verify" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l key -d 'Sign the checkpoint with this private key file' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l new-key -d 'Write a new private key to FILE (mode 0600) and its public key to FILE.pub, and stop' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l name -d 'The key\'s name (with --new-key) [default: the store\'s origin]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand checkpoint" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l checkpoint -d 'Prove against this checkpoint (one the auditor kept) instead of the latest one' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand prove" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l listen -d 'Address and port to listen on' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l tokens -d 'The tokens file (`token new` writes it)' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l rate -d 'Requests per second each token may make (twice as many at once); beyond, 429' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l header-timeout -d 'Seconds a client may take to send a request\'s headers before it is cut off' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l body-timeout -d 'Seconds a client may take to send a request\'s body (408 after)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand serve" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -s h -l help -d 'Print help'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -f -a "new" -d 'Create a token: print it once on stdout and add its hash to the tokens file'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and not __fish_seen_subcommand_from new help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l tokens -d 'The tokens file (created when missing, mode 0600)' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l name -d 'A name for the token, shown in the server\'s log' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l scope -d 'A scope: view, view_sensitive, write, revert (or audit_log:…); repeatable' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from new" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "new" -d 'Create a token: print it once on stdout and add its hash to the tokens file'
complete -c auditctl -n "__fish_auditctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l format -d 'Source format [default: detected from the content]' -r -f -a "jsonl\t'auditctl events, one JSON object per line'
csv\t'auditctl\'s export columns'
kubernetes\t'Kubernetes audit log (audit.k8s.io/v1 events, one per line)'
cloudtrail\t'AWS CloudTrail log files ({"Records": [...]}, plain or gzip)'"
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l map -d 'Read JSON Lines of another application through a TOML mapping file' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l skip-invalid -d 'Import the valid records and report the invalid ones instead of failing'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l allow-redacted -d 'Import records that hold "[redacted]" as a value (from an export without --reveal), keeping the marker as text'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand import" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l user -d 'Who did it [default: $AUDITCTL_USER, else the login name]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l user-type -d 'Kind of user: user, api_token, system, portal or automation' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l action -d 'What was done (CREATE, UPDATE, DELETE, LOGIN, …)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l table -d 'Resource type or table' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l resource-id -l pk -d 'Primary key of the record' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -s m -l message -d 'Human description' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l ip -d 'Client IP address' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l service -d 'Emitting service' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l origin -d 'Channel: Control Panel, Portal, API, …' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l operation -d 'System-specific operation name' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l outcome -d 'success or failure' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l meta -d 'Extra attribute KEY=VALUE (repeatable)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l before -d 'The record before the change: JSON, @FILE or @-' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l after -d 'The record after the change: JSON, @FILE or @-' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l id -d 'Event id [default: a new UUIDv7]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l time -d 'When it happened [default: now]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand record" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -s n -l events -d 'How many events to write' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l seed -d 'Seed of the generator' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l end -d 'Time of the last event [default: the start of the current hour]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l force -d 'Replace the store file if it already holds events (only an auditctl store is replaced)'
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand demo" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand init" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l from -d 'The store to copy: a file or a PostgreSQL URL' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l to -d 'The store to copy into (created when absent)' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l store -d 'Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile\'s store, else ./audit.db]' -r -F
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l remote -d 'Audit API to use instead of a store file (see `auditctl serve`)' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l token -d 'Bearer token for --remote' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l profile -d 'Configuration profile to use [default: default_profile of the config]' -r
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l utc -d 'Show times in UTC instead of the local zone'
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l no-pager -d 'Never page output'
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -l reveal -d 'Show sensitive values instead of [redacted]'
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auditctl -n "__fish_auditctl_using_subcommand copy" -s V -l version -d 'Print version'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "list" -d 'List events, newest first'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "browse" -d 'Browse the log in a full-screen viewer: scroll, search, filter, sort, diff, revert'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "filter" -d 'List events matching a filter expression'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "show" -d 'Show one event in full: every field, meta, the changed paths and the data'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "diff" -d 'Show what an event changed, as a coloured unified diff of before → after'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "history" -d 'Every event of one record, oldest first, with who changed what and when'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "revert" -d 'Undo an event\'s change by appending a compensating event'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "export" -d 'Export every matching event, oldest first, for auditors and SIEMs'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "stats" -d 'Count events per group (--by user,action) or over time (--by day)'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "verify" -d 'Check that the log was not edited: every leaf, checkpoint, signature, index and trigger'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "checkpoint" -d 'Print a checkpoint of the store: its origin, size and Merkle root, signed with --key'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "prove" -d 'Print the inclusion proof of one event against the latest checkpoint, as JSON'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "serve" -d 'Serve the store over the audit HTTP API (docs/REMOTE_API.md)'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "token" -d 'Manage API tokens for `serve`'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "import" -d 'Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "record" -d 'Append one event from flags'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "demo" -d 'Write a demo store of realistic events'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "init" -d 'Create an empty store'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "copy" -d 'Copy a store to another, with seqs, ids, hashes and checkpoints'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and not __fish_seen_subcommand_from list browse filter show diff history revert export stats verify checkpoint prove serve token import record demo init copy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auditctl -n "__fish_auditctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "new" -d 'Create a token: print it once on stdout and add its hash to the tokens file'
