#!/usr/bin/env bash
# Benchmarks of auditctl on a PostgreSQL store (issue 17, item 8), on the demo events of
# benches/run.sh:
#
#   1. import of the JSON Lines file into an empty database, against psql's \copy of the same
#      file into a one-column jsonb table;
#   2. the indexed list (--user alice --action UPDATE; a first page and --all) against psql
#      running the same query on the same tables;
#   3. a load test: two `auditctl serve` on the store, 50 clients appending, paging, reverting
#      and exporting for 30 s (benches/pg_load.rs), then a check that no acknowledged event is
#      lost and that the seqs are gapless, and `auditctl verify`.
#
#   benches/postgres.sh                 # 1,000,000 events
#   EVENTS=100000 benches/postgres.sh   # a quicker run
#
# PostgreSQL: by default a throwaway cluster of scripts/with-postgres (Unix socket, fsync=off);
# AUDITCTL_BENCH_POSTGRES=postgres://user@host/db uses a server of your own instead (the user
# must be allowed to create databases; the databases auditctl_bench_import and
# auditctl_bench_copy are dropped and made again). Needs hyperfine, curl and psql. Writes its
# data and the hyperfine results to $BENCH_DIR (default target/bench), beside benches/run.sh's.
# Other knobs: RUNS (list runs, default 20), IMPORT_RUNS (default 3), CLIENTS (50),
# LOAD_SECONDS (30), LOAD_MIX (see benches/pg_load.rs), SKIP_IMPORT=1 (reuse the imported
# database of an earlier run on the same server), SKIP_LIST=1, SKIP_LOAD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${AUDITCTL_BENCH_POSTGRES:-}" ]; then
  if [ -z "${AUDITCTL_TEST_POSTGRES:-}" ]; then
    exec scripts/with-postgres "$0" "$@"
  fi
  AUDITCTL_BENCH_POSTGRES=$AUDITCTL_TEST_POSTGRES
fi
PG=$AUDITCTL_BENCH_POSTGRES

EVENTS=${EVENTS:-1000000}
DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-20}
IMPORT_RUNS=${IMPORT_RUNS:-3}
CLIENTS=${CLIENTS:-50}
LOAD_SECONDS=${LOAD_SECONDS:-30}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
for tool in hyperfine curl psql; do
  command -v "$tool" >/dev/null || { echo "benches/postgres.sh needs $tool" >&2; exit 1; }
done

# The URL of database $1 on the same server: PG with its path replaced (libpq URLs keep
# host=/socket/folder in the query, which stays).
db_url() {
  local prefix=${PG%%\?*} query=""
  [ "$prefix" != "$PG" ] && query="?${PG#*\?}"
  local authority=${prefix#*://}
  authority=${authority%%/*}
  echo "${prefix%%://*}://$authority/$1$query"
}
IMPORT_URL=$(db_url auditctl_bench_import)
COPY_URL=$(db_url auditctl_bench_copy)
remake_db() {
  psql "$PG" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
}

cargo build --release --quiet
cargo bench --bench pg_load --no-run --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
STORE=$DIR/store-$EVENTS.db
JSONL=$DIR/events-$EVENTS.jsonl

# The events of benches/run.sh (same names, so either script reuses the other's files).
if [ ! -f "$STORE" ]; then
  echo "generating $EVENTS demo events…" >&2
  "$BIN" --store "$STORE" demo --events "$EVENTS" --seed 1 --end 2026-11-24T00:00:00Z
fi
if [ ! -f "$JSONL" ]; then
  "$BIN" --store "$STORE" list --all --sort seq -o jsonl --reveal > "$JSONL"
fi
psql "$PG" -qAtX -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers')" >&2
echo "events: $EVENTS; JSON Lines: $(du -h "$JSONL" | cut -f1)" >&2

if [ "${SKIP_IMPORT:-}" != 1 ]; then
  echo "## import into an empty database" >&2
  # \copy in CSV format with a quote and a delimiter that never occur, so that each line is
  # one field taken as it is (the text format would read backslashes as escapes).
  COPY="\\copy t(doc) from '$JSONL' with (format csv, quote e'\\x01', delimiter e'\\x02')"
  hyperfine --runs "$IMPORT_RUNS" --export-markdown "$DIR/pg-import-$EVENTS.md" --export-json "$DIR/pg-import-$EVENTS.json" \
    -n "auditctl import" \
    --prepare "psql '$PG' -qX -c 'DROP DATABASE IF EXISTS auditctl_bench_import WITH (FORCE)' -c 'CREATE DATABASE auditctl_bench_import'" \
    "'$BIN' --store '$IMPORT_URL' import '$JSONL' > /dev/null" \
    -n "psql \\copy into a jsonb column" \
    --prepare "psql '$PG' -qX -c 'DROP DATABASE IF EXISTS auditctl_bench_copy WITH (FORCE)' -c 'CREATE DATABASE auditctl_bench_copy' && psql '$COPY_URL' -qX -c 'CREATE TABLE t (doc jsonb)'" \
    "psql '$COPY_URL' -qX -v ON_ERROR_STOP=1 -c \"$COPY\""
  psql "$COPY_URL" -qAtX -c "SELECT 'copy table: ' || count(*) || ' rows, ' || pg_size_pretty(pg_total_relation_size('t')) FROM t" >&2
fi
psql "$IMPORT_URL" -qAtX -c "SELECT 'store: ' || (SELECT count(*) FROM auditctl.entries) || ' events, database ' || pg_size_pretty(pg_database_size(current_database())) || ', entries with indexes ' || pg_size_pretty(pg_total_relation_size('auditctl.entries')) || ', search_terms ' || pg_size_pretty(pg_total_relation_size('auditctl.search_terms'))" >&2
# Statistics for the planner, as autovacuum would gather them soon after an import.
psql "$IMPORT_URL" -qX -c 'VACUUM ANALYZE' >/dev/null

if [ "${SKIP_LIST:-}" != 1 ]; then
  echo "## indexed list: user and action" >&2
  matches=$("$BIN" --store "$IMPORT_URL" list --user alice --action UPDATE --all -o jsonl | wc -l)
  sqlite_matches=$("$BIN" --store "$STORE" list --user alice --action UPDATE --all -o jsonl | wc -l)
  echo "alice UPDATE matches: $matches on PostgreSQL, $sqlite_matches on SQLite" >&2
  [ "$matches" -eq "$sqlite_matches" ] && [ "$matches" -gt 0 ] ||
    { echo "the PostgreSQL store's filter does not give the SQLite store's answer" >&2; exit 1; }
  WHERE="user_name = 'alice' AND action = 'UPDATE'"
  hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$DIR/pg-list-page-$EVENTS.md" --export-json "$DIR/pg-list-page-$EVENTS.json" \
    -n "auditctl list --user alice --action UPDATE --limit 50 -o jsonl" \
    "$BIN --store $IMPORT_URL list --user alice --action UPDATE --limit 50 -o jsonl" \
    -n "psql, the same query with LIMIT 50" \
    "psql $IMPORT_URL -qAtX -c \"SELECT entry FROM auditctl.entries WHERE $WHERE ORDER BY time_us DESC, seq DESC LIMIT 50\"" \
    -n "psql, with auditctl's ORDER BY (NULLS LAST)" \
    "psql $IMPORT_URL -qAtX -c \"SELECT entry FROM auditctl.entries WHERE $WHERE ORDER BY time_us DESC NULLS LAST, seq DESC LIMIT 50\"" \
    -n "auditctl on the SQLite store" \
    "$BIN --store $STORE list --user alice --action UPDATE --limit 50 -o jsonl"
  hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$DIR/pg-list-all-$EVENTS.md" --export-json "$DIR/pg-list-all-$EVENTS.json" \
    -n "auditctl list --user alice --action UPDATE --all -o jsonl" \
    "$BIN --store $IMPORT_URL list --user alice --action UPDATE --all -o jsonl" \
    -n "the same with --reveal" \
    "$BIN --store $IMPORT_URL list --user alice --action UPDATE --all -o jsonl --reveal" \
    -n "psql, the same query" \
    "psql $IMPORT_URL -qAtX -c \"SELECT entry FROM auditctl.entries WHERE $WHERE ORDER BY time_us DESC, seq DESC\"" \
    -n "auditctl on the SQLite store" \
    "$BIN --store $STORE list --user alice --action UPDATE --all -o jsonl"
  hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$DIR/pg-list-first-$EVENTS.md" --export-json "$DIR/pg-list-first-$EVENTS.json" \
    -n "auditctl list --limit 50 -o jsonl" "$BIN --store $IMPORT_URL list --limit 50 -o jsonl" \
    -n "psql, the newest 50" \
    "psql $IMPORT_URL -qAtX -c \"SELECT entry FROM auditctl.entries ORDER BY time_us DESC, seq DESC LIMIT 50\"" \
    -n "psql, with auditctl's ORDER BY (NULLS LAST)" \
    "psql $IMPORT_URL -qAtX -c \"SELECT entry FROM auditctl.entries ORDER BY time_us DESC NULLS LAST, seq DESC LIMIT 50\"" \
    -n "auditctl list --limit 50 on the SQLite store" "$BIN --store $STORE list --limit 50 -o jsonl" \
    -n "psql SELECT 1 (connecting, the floor of every psql row)" "psql $IMPORT_URL -qAtX -c \"SELECT 1\""
fi

if [ "${SKIP_LOAD:-}" != 1 ]; then
  echo "## load: two servers, $CLIENTS clients, $LOAD_SECONDS s" >&2
  WORK=$(mktemp -d)
  PIDS=()
  stop_servers() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
  }
  trap 'stop_servers; rm -rf "$WORK"' EXIT
  # A token per client: the rate limit is per token (and --rate lifts it well above what a
  # client makes, so that it is the store that is measured).
  for n in $(seq "$CLIENTS"); do
    "$BIN" token new --tokens "$WORK/tokens.toml" --name "load-$n" \
      --scope view,view_sensitive,write,revert >> "$WORK/tokens.txt"
  done
  SERVERS=""
  for port in 18241 18242; do
    "$BIN" --store "$IMPORT_URL" serve --listen "127.0.0.1:$port" --tokens "$WORK/tokens.toml" \
      --rate 1000 2> "$DIR/pg-serve-$port.log" &
    PIDS+=($!)
    SERVERS="$SERVERS${SERVERS:+,}http://127.0.0.1:$port"
  done
  for port in 18241 18242; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  done
  status=0
  if [ -n "${LOAD_MIX:-}" ]; then export PG_LOAD_MIX=$LOAD_MIX; fi
  PG_LOAD_SERVERS=$SERVERS PG_LOAD_TOKENS=$WORK/tokens.txt PG_LOAD_STORE=$IMPORT_URL \
    AUDITCTL_BIN=$BIN PG_LOAD_CLIENTS=$CLIENTS PG_LOAD_SECONDS=$LOAD_SECONDS \
    cargo bench --bench pg_load --quiet | tee "$DIR/pg-load-$EVENTS.md" || status=$?
  for pid in "${PIDS[@]}"; do
    echo "server $pid peak memory: $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")" >&2
  done
  stop_servers
  echo "## verify after the load" >&2
  /usr/bin/time -f "verify: %e s, %M KB" "$BIN" --store "$IMPORT_URL" verify || status=1
  [ "$status" -eq 0 ] || { echo "the load test failed" >&2; exit 1; }
fi
