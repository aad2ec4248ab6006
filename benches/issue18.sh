#!/usr/bin/env bash
# Issue 18's rows side by side in one run, on the data of benches/run.sh (1M events): a JSON
# Lines file queried in place (DuckDB, jq), import (jq -c .), verify (sha256sum), CSV export
# (sqlite3 -csv), each with auditctl's peak memory. The serve rows are benches/serve.sh.
#
#   benches/issue18.sh                 # 1,000,000 events
#   EVENTS=100000 benches/issue18.sh
#
# Needs hyperfine, jq, sqlite3 and DuckDB's Python package (apt-get install hyperfine jq
# sqlite3; pip install duckdb). Writes to $BENCH_DIR (default target/bench).
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-5}
for tool in hyperfine jq sqlite3; do
  command -v "$tool" >/dev/null || { echo "benches/issue18.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
python3 -c 'import duckdb' 2>/dev/null || { echo "benches/issue18.sh needs DuckDB (pip install duckdb)" >&2; exit 1; }
STORE=$DIR/store-$EVENTS.db
JSONL=$DIR/events-$EVENTS.jsonl
PLAIN=$DIR/plain-$EVENTS.db
[ -f "$STORE" ] && [ -f "$JSONL" ] && [ -f "$PLAIN" ] || EVENTS=$EVENTS benches/run.sh
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
cat "$JSONL" > /dev/null  # in the page cache for every tool alike
peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }

echo "## a JSON Lines file queried in place" >&2
QUERY='user = "alice" and action = UPDATE'
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$DIR/18-scan.md" \
  -n auditctl "$BIN --store $JSONL filter '$QUERY' --all --sort seq -o jsonl > $DIR/18-scan-auditctl.jsonl" \
  -n duckdb "python3 -c \"import duckdb; duckdb.sql(\\\"COPY (SELECT * FROM read_json_auto('$JSONL') WHERE \\\\\\\"user\\\\\\\" = 'alice' AND action = 'UPDATE') TO '$DIR/18-scan-duckdb.json' (FORMAT JSON)\\\")\""
hyperfine --runs 2 --export-markdown "$DIR/18-scan-jq.md" \
  -n jq "jq -c 'select(.user == \"alice\" and .action == \"UPDATE\")' $JSONL > $DIR/18-scan-jq.jsonl"
echo "matches: auditctl $(wc -l < "$DIR/18-scan-auditctl.jsonl"), duckdb $(wc -l < "$DIR/18-scan-duckdb.json"), jq $(wc -l < "$DIR/18-scan-jq.jsonl")"
echo "peak KB, scan in file order: $(peak "$BIN" --store "$JSONL" filter "$QUERY" --all --sort seq -o jsonl)"

echo "## import into a new store" >&2
# The last run's store is removed and the disk left idle first (sync): freeing 1.2 GB on a
# file system mounted with discard otherwise lands in the next run (1M: 10.5 s against 11.1-11.8 s).
hyperfine --runs 3 --export-markdown "$DIR/18-import.md" \
  --prepare "rm -f $DIR/18-import.db $DIR/18-import.db-wal $DIR/18-import.db-shm; sync" \
  -n "auditctl import" "$BIN --store $DIR/18-import.db import $JSONL > /dev/null" \
  -n "jq -c ." "jq -c . $JSONL > /dev/null"
rm -f "$DIR/18-import.db"*
echo "peak KB, import: $(peak "$BIN" --store "$DIR/18-import.db" import "$JSONL")"
rm -f "$DIR/18-import.db"*

echo "## verify" >&2
hyperfine --warmup 1 --runs "$RUNS" -N --export-markdown "$DIR/18-verify.md" \
  -n "auditctl verify --quick" "$BIN --store $STORE verify --quick" \
  -n "auditctl verify" "$BIN --store $STORE verify" \
  -n "sha256sum" "sha256sum $JSONL"
echo "peak KB, verify: $(peak "$BIN" --store "$STORE" verify), verify --quick: $(peak "$BIN" --store "$STORE" verify --quick)"

echo "## CSV export" >&2
hyperfine --warmup 1 --runs "$RUNS" -N --export-markdown "$DIR/18-export.md" \
  -n "auditctl export --format csv --reveal" "$BIN --store $STORE export --format csv --reveal --output /dev/null" \
  -n "sqlite3 -csv (five columns, plain table)" \
  "sqlite3 -csv $PLAIN 'SELECT seq, time_us, user, action, entry FROM events ORDER BY seq'"
echo "peak KB, export: $(peak "$BIN" --store "$STORE" export --format csv --reveal --output /dev/null)"
