#!/usr/bin/env bash
# A JSON Lines file queried where it lies, without importing it (issue 18): auditctl against
# DuckDB (read_json_auto and the same WHERE, written as JSON) and jq (select), on the 1M events
# of benches/run.sh, with the same matches from each.
#
#   benches/scan.sh                  # 1,000,000 events
#   EVENTS=100000 benches/scan.sh
#
# Needs hyperfine, jq and DuckDB's Python package (apt-get install hyperfine jq;
# pip install duckdb). Writes its data to $BENCH_DIR (default target/bench).
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-5}
mkdir -p "$DIR"
for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "benches/scan.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
python3 -c 'import duckdb' 2>/dev/null || { echo "benches/scan.sh needs DuckDB (pip install duckdb)" >&2; exit 1; }

cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
STORE=$DIR/store-$EVENTS.db
JSONL=$DIR/events-$EVENTS.jsonl
if [ ! -f "$STORE" ]; then
  "$BIN" --store "$STORE" demo --events "$EVENTS" --seed 1 --end 2026-11-24T00:00:00Z
fi
if [ ! -f "$JSONL" ]; then
  "$BIN" --store "$STORE" list --all --sort seq -o jsonl --reveal > "$JSONL"
fi
cat "$JSONL" > /dev/null  # in the page cache for every tool alike

AUDITCTL="$BIN --store $JSONL filter 'user = \"alice\" and action = UPDATE' --all --sort seq -o jsonl > $DIR/scan-auditctl.jsonl"
DUCKDB="python3 -c \"import duckdb; duckdb.sql(\\\"COPY (SELECT * FROM read_json_auto('$JSONL') WHERE \\\\\\\"user\\\\\\\" = 'alice' AND action = 'UPDATE') TO '$DIR/scan-duckdb.json' (FORMAT JSON)\\\")\""
JQ="jq -c 'select(.user == \"alice\" and .action == \"UPDATE\")' $JSONL > $DIR/scan-jq.jsonl"

hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$DIR/scan.md" \
  -n auditctl "$AUDITCTL" -n duckdb "$DUCKDB"
hyperfine --runs 2 --export-markdown "$DIR/scan-jq.md" -n jq "$JQ"
echo "matches: auditctl $(wc -l < "$DIR/scan-auditctl.jsonl"), duckdb $(wc -l < "$DIR/scan-duckdb.json"), jq $(wc -l < "$DIR/scan-jq.jsonl")"
# Peak memory of the scan, sorted by time (the default) and in file order.
/usr/bin/time -f "auditctl, newest first: %e s, peak RSS %M KB" \
  "$BIN" --store "$JSONL" filter 'user = "alice" and action = UPDATE' --all -o jsonl > /dev/null
/usr/bin/time -f "auditctl, file order: %e s, peak RSS %M KB" \
  "$BIN" --store "$JSONL" filter 'user = "alice" and action = UPDATE' --all --sort seq -o jsonl > /dev/null
