
use builtin;
use str;

set edit:completion:arg-completer[auditctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'auditctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'auditctl'= {
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List events, newest first'
            cand filter 'List events matching a filter expression'
            cand show 'Show one event in full: every field, meta, the changed paths and the data'
            cand diff 'Show what an event changed, as a coloured unified diff of before → after'
            cand history 'Every event of one record, oldest first, with who changed what and when'
            cand revert 'Undo an event''s change by appending a compensating event'
            cand export 'Export every matching event, oldest first, for auditors and SIEMs'
            cand stats 'Count events per group (--by user,action) or over time (--by day)'
            cand verify 'Check that the log was not edited: every leaf, checkpoint, signature, index and trigger'
            cand checkpoint 'Print a checkpoint of the store: its origin, size and Merkle root, signed with --key'
            cand prove 'Print the inclusion proof of one event against the latest checkpoint, as JSON'
            cand serve 'Serve the store over the audit HTTP API (docs/REMOTE_API.md)'
            cand token 'Manage API tokens for `serve`'
            cand import 'Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail'
            cand record 'Append one event from flags'
            cand demo 'Write a demo store of realistic events'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auditctl;list'= {
            cand --user 'Events by USER (repeatable, or a comma list)'
            cand --action 'Events with ACTION, case-insensitive (e.g. UPDATE)'
            cand --table 'Events on TABLE (the resource type)'
            cand --resource-id 'Events on the record with this primary key'
            cand --pk 'Events on the record with this primary key'
            cand --service 'Events from SERVICE'
            cand --origin 'Events through ORIGIN (Control Panel, Portal, API, …)'
            cand --outcome 'Events with OUTCOME (success or failure)'
            cand --ip 'Events from an IP address or a CIDR network (v4 or v6)'
            cand --since 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)'
            cand --until 'Events before TIME'
            cand --search 'Events whose text contains every word of TEXT'
            cand --where 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)'
            cand --filter 'Events matching a filter expression (see `auditctl filter --help`)'
            cand -n 'Print at most N events, N ≥ 1 [default: 50]'
            cand --limit 'Print at most N events, N ≥ 1 [default: 50]'
            cand --offset 'Skip the first N events'
            cand --sort 'Sort by FIELD, -FIELD for descending (repeatable) [default: -time]'
            cand -o 'Output format [default: table]'
            cand --format 'Output format [default: table]'
            cand --columns 'Columns to print, in order (e.g. seq,time,user,action)'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand -a 'Print every matching event (no limit)'
            cand --all 'Print every matching event (no limit)'
            cand -r 'Reverse the order (oldest first by default)'
            cand --reverse 'Reverse the order (oldest first by default)'
            cand -f 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)'
            cand --follow 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;filter'= {
            cand -e 'The filter expression (the same as EXPR, for use with --input)'
            cand --expr 'The filter expression (the same as EXPR, for use with --input)'
            cand --input 'Filter JSON Lines from FILE, or stdin with -, instead of the store'
            cand -n 'Print at most N events, N ≥ 1 [default: 50]'
            cand --limit 'Print at most N events, N ≥ 1 [default: 50]'
            cand --offset 'Skip the first N events'
            cand --sort 'Sort by FIELD, -FIELD for descending (repeatable) [default: -time]'
            cand -o 'Output format [default: table]'
            cand --format 'Output format [default: table]'
            cand --columns 'Columns to print, in order (e.g. seq,time,user,action)'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand -a 'Print every matching event (no limit)'
            cand --all 'Print every matching event (no limit)'
            cand -r 'Reverse the order (oldest first by default)'
            cand --reverse 'Reverse the order (oldest first by default)'
            cand -f 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)'
            cand --follow 'Print the last matching events oldest first, then each new one as it is appended, until interrupted (like tail -f)'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;show'= {
            cand -o 'Output format [default: table]'
            cand --format 'Output format [default: table]'
            cand --columns 'Columns to print, in order (e.g. seq,time,user,action)'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;diff'= {
            cand -U 'Lines of context around each change'
            cand --unified 'Lines of context around each change'
            cand -o 'unified (for people), json (the change list) or patch (RFC 6902 JSON Patch)'
            cand --format 'unified (for people), json (the change list) or patch (RFC 6902 JSON Patch)'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --stat 'Only the changed paths, with their old and new values'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;history'= {
            cand -o 'Output format [default: table]'
            cand --format 'Output format [default: table]'
            cand --columns 'Columns to print, in order (e.g. seq,time,user,action)'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;revert'= {
            cand --reason 'Why: the message of the compensating event'
            cand --as 'The user recorded for the revert [default: $AUDITCTL_USER, else the login name]'
            cand --exec 'Pipe the restored state as JSON to `sh -c CMD` and append only if it exits 0'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand -y 'Append without asking (required when stdin is not a terminal)'
            cand --yes 'Append without asking (required when stdin is not a terminal)'
            cand -n 'Show the plan and whether it would be refused; append nothing'
            cand --dry-run 'Show the plan and whether it would be refused; append nothing'
            cand --force 'Revert despite conflicting later changes or an earlier revert'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;export'= {
            cand --user 'Events by USER (repeatable, or a comma list)'
            cand --action 'Events with ACTION, case-insensitive (e.g. UPDATE)'
            cand --table 'Events on TABLE (the resource type)'
            cand --resource-id 'Events on the record with this primary key'
            cand --pk 'Events on the record with this primary key'
            cand --service 'Events from SERVICE'
            cand --origin 'Events through ORIGIN (Control Panel, Portal, API, …)'
            cand --outcome 'Events with OUTCOME (success or failure)'
            cand --ip 'Events from an IP address or a CIDR network (v4 or v6)'
            cand --since 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)'
            cand --until 'Events before TIME'
            cand --search 'Events whose text contains every word of TEXT'
            cand --where 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)'
            cand --filter 'Events matching a filter expression (see `auditctl filter --help`)'
            cand -o 'csv (RFC 4180, columns of docs/SPEC.md §6), jsonl, json (one array) or cef (ArcSight)'
            cand --format 'csv (RFC 4180, columns of docs/SPEC.md §6), jsonl, json (one array) or cef (ArcSight)'
            cand --columns 'Columns to export, in order (csv, json, jsonl)'
            cand --output 'Write to FILE (atomically) instead of stdout (`-` is stdout)'
            cand --cursor-file 'Export only events after the seq in FILE, then record the last exported seq there'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;stats'= {
            cand --by 'Fields to group by (any event field or meta.KEY), or one of hour, day, week, month, year'
            cand --top 'Only the N largest groups'
            cand --user 'Events by USER (repeatable, or a comma list)'
            cand --action 'Events with ACTION, case-insensitive (e.g. UPDATE)'
            cand --table 'Events on TABLE (the resource type)'
            cand --resource-id 'Events on the record with this primary key'
            cand --pk 'Events on the record with this primary key'
            cand --service 'Events from SERVICE'
            cand --origin 'Events through ORIGIN (Control Panel, Portal, API, …)'
            cand --outcome 'Events with OUTCOME (success or failure)'
            cand --ip 'Events from an IP address or a CIDR network (v4 or v6)'
            cand --since 'Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)'
            cand --until 'Events before TIME'
            cand --search 'Events whose text contains every word of TEXT'
            cand --where 'Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)'
            cand --filter 'Events matching a filter expression (see `auditctl filter --help`)'
            cand -o 'Output format [default: table]'
            cand --format 'Output format [default: table]'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;verify'= {
            cand --pub 'Require every checkpoint to be signed by this public key (FILE.pub of --new-key)'
            cand --checkpoint 'A checkpoint kept elsewhere (- for stdin): the store must extend it'
            cand --proof 'Check this inclusion proof (from `prove`) instead of the store'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --quick 'Check the log only, not the database under it (pages, indexes, the search index)'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;checkpoint'= {
            cand --key 'Sign the checkpoint with this private key file'
            cand --new-key 'Write a new private key to FILE (mode 0600) and its public key to FILE.pub, and stop'
            cand --name 'The key''s name (with --new-key) [default: the store''s origin]'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;prove'= {
            cand --checkpoint 'Prove against this checkpoint (one the auditor kept) instead of the latest one'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;serve'= {
            cand --listen 'Address and port to listen on'
            cand --tokens 'The tokens file (`token new` writes it)'
            cand --rate 'Requests per second each token may make (twice as many at once); beyond, 429'
            cand --header-timeout 'Seconds a client may take to send a request''s headers before it is cut off'
            cand --body-timeout 'Seconds a client may take to send a request''s body (408 after)'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;token'= {
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand new 'Create a token: print it once on stdout and add its hash to the tokens file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auditctl;token;new'= {
            cand --tokens 'The tokens file (created when missing, mode 0600)'
            cand --name 'A name for the token, shown in the server''s log'
            cand --scope 'A scope: view, view_sensitive, write, revert (or audit_log:…); repeatable'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;token;help'= {
            cand new 'Create a token: print it once on stdout and add its hash to the tokens file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auditctl;token;help;new'= {
        }
        &'auditctl;token;help;help'= {
        }
        &'auditctl;import'= {
            cand --format 'Source format [default: detected from the content]'
            cand --map 'Read JSON Lines of another application through a TOML mapping file'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --skip-invalid 'Import the valid records and report the invalid ones instead of failing'
            cand --allow-redacted 'Import records that hold "[redacted]" as a value (from an export without --reveal), keeping the marker as text'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;record'= {
            cand --user 'Who did it [default: $AUDITCTL_USER, else the login name]'
            cand --user-type 'Kind of user: user, api_token, system, portal or automation'
            cand --action 'What was done (CREATE, UPDATE, DELETE, LOGIN, …)'
            cand --table 'Resource type or table'
            cand --resource-id 'Primary key of the record'
            cand --pk 'Primary key of the record'
            cand -m 'Human description'
            cand --message 'Human description'
            cand --ip 'Client IP address'
            cand --service 'Emitting service'
            cand --origin 'Channel: Control Panel, Portal, API, …'
            cand --operation 'System-specific operation name'
            cand --outcome 'success or failure'
            cand --meta 'Extra attribute KEY=VALUE (repeatable)'
            cand --before 'The record before the change: JSON, @FILE or @-'
            cand --after 'The record after the change: JSON, @FILE or @-'
            cand --id 'Event id [default: a new UUIDv7]'
            cand --time 'When it happened [default: now]'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;demo'= {
            cand -n 'How many events to write'
            cand --events 'How many events to write'
            cand --seed 'Seed of the generator'
            cand --end 'Time of the last event [default: the start of the current hour]'
            cand --store 'Store file to use [default: the profile''s store, else ./audit.db]'
            cand --remote 'Audit API to use instead of a store file (see `auditctl serve`)'
            cand --token 'Bearer token for --remote'
            cand --profile 'Configuration profile to use [default: default_profile of the config]'
            cand --color 'When to colour output'
            cand --force 'Replace the store file if it already holds events (only an auditctl store is replaced)'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Never page output'
            cand --reveal 'Show sensitive values instead of [redacted]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'auditctl;help'= {
            cand list 'List events, newest first'
            cand filter 'List events matching a filter expression'
            cand show 'Show one event in full: every field, meta, the changed paths and the data'
            cand diff 'Show what an event changed, as a coloured unified diff of before → after'
            cand history 'Every event of one record, oldest first, with who changed what and when'
            cand revert 'Undo an event''s change by appending a compensating event'
            cand export 'Export every matching event, oldest first, for auditors and SIEMs'
            cand stats 'Count events per group (--by user,action) or over time (--by day)'
            cand verify 'Check that the log was not edited: every leaf, checkpoint, signature, index and trigger'
            cand checkpoint 'Print a checkpoint of the store: its origin, size and Merkle root, signed with --key'
            cand prove 'Print the inclusion proof of one event against the latest checkpoint, as JSON'
            cand serve 'Serve the store over the audit HTTP API (docs/REMOTE_API.md)'
            cand token 'Manage API tokens for `serve`'
            cand import 'Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail'
            cand record 'Append one event from flags'
            cand demo 'Write a demo store of realistic events'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auditctl;help;list'= {
        }
        &'auditctl;help;filter'= {
        }
        &'auditctl;help;show'= {
        }
        &'auditctl;help;diff'= {
        }
        &'auditctl;help;history'= {
        }
        &'auditctl;help;revert'= {
        }
        &'auditctl;help;export'= {
        }
        &'auditctl;help;stats'= {
        }
        &'auditctl;help;verify'= {
        }
        &'auditctl;help;checkpoint'= {
        }
        &'auditctl;help;prove'= {
        }
        &'auditctl;help;serve'= {
        }
        &'auditctl;help;token'= {
            cand new 'Create a token: print it once on stdout and add its hash to the tokens file'
        }
        &'auditctl;help;token;new'= {
        }
        &'auditctl;help;import'= {
        }
        &'auditctl;help;record'= {
        }
        &'auditctl;help;demo'= {
        }
        &'auditctl;help;help'= {
        }
    ]
    $completions[$command]
}
