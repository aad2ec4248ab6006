#!/usr/bin/env bash
# Benchmarks of auditctl against jq and the sqlite3 CLI on the same 1M generated events.
#
#   benches/run.sh            # 1,000,000 events (about 600 MB of JSON Lines)
#   EVENTS=100000 benches/run.sh
#
# Needs hyperfine, jq and sqlite3 (apt-get install hyperfine jq sqlite3). Writes its data to
# $BENCH_DIR (default target/bench) and the hyperfine results to $BENCH_DIR/*.md.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-5}
mkdir -p "$DIR"
for tool in hyperfine jq sqlite3; do
  command -v "$tool" >/dev/null || { echo "benches/run.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done

cargo build --release --quiet
# Honour CARGO_TARGET_DIR, so that the binary measured is the one cargo just built.
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
STORE=$DIR/store-$EVENTS.db
JSONL=$DIR/events-$EVENTS.jsonl
PLAIN=$DIR/plain-$EVENTS.db

if [ ! -f "$STORE" ]; then
  echo "generating $EVENTS demo events…" >&2
  "$BIN" --store "$STORE" demo --events "$EVENTS" --seed 1 --end 2026-11-24T00:00:00Z
fi
if [ ! -f "$JSONL" ]; then
  "$BIN" --store "$STORE" list --all --sort seq -o jsonl --reveal > "$JSONL"
fi
if [ ! -f "$PLAIN" ]; then
  # The same events in a plain table with an ordinary index: what a hand-rolled SQLite log is.
  sqlite3 "$PLAIN" <<SQL
ATTACH '$STORE' AS src;
CREATE TABLE events AS
  SELECT seq, time_us, user_name AS user, action, tbl, resource_id, entry FROM src.entries;
CREATE INDEX events_user_action ON events (user, action, time_us);
SQL
fi

matches=$("$BIN" --store "$STORE" list --user alice --action UPDATE --all -o jsonl | wc -l)
echo "events: $EVENTS; alice UPDATE matches: $matches; JSONL size: $(du -h "$JSONL" | cut -f1)" >&2

echo "## indexed list: user and action" >&2
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$DIR/list-indexed.md" \
  -n "auditctl list --user alice --action UPDATE --all -o jsonl" \
  "$BIN --store $STORE list --user alice --action UPDATE --all -o jsonl > /dev/null" \
  -n "sqlite3 (plain table, same index)" \
  "sqlite3 $PLAIN \"SELECT entry FROM events WHERE user = 'alice' AND action = 'UPDATE' ORDER BY time_us DESC\" > /dev/null" \
  -n "jq select on the JSON Lines file" \
  "jq -c 'select(.user == \"alice\" and .action == \"UPDATE\")' $JSONL > /dev/null"

echo "## import of the JSON Lines file" >&2
# The last run's store is removed and the disk left idle first (sync): freeing it on a file
# system mounted with discard otherwise lands in the next run.
hyperfine --runs 3 --export-markdown "$DIR/import.md" \
  --prepare "rm -f $DIR/import.db $DIR/import.db-wal $DIR/import.db-shm; sync" \
  -n "auditctl import" "$BIN --store $DIR/import.db import $JSONL > /dev/null" \
  -n "jq -c ." "jq -c . $JSONL > /dev/null"

echo "## first page" >&2
hyperfine --warmup 3 --runs 20 -N --export-markdown "$DIR/list-first-page.md" \
  -n "auditctl list --limit 50" "$BIN --store $STORE list --limit 50 --no-pager --color never"

echo "## peak memory (KB) of list --limit 50 and of the indexed --all list" >&2
for args in "list --limit 50" "list --user alice --action UPDATE --all -o jsonl"; do
  /usr/bin/time -f "%M KB  auditctl $args" "$BIN" --store "$STORE" $args > /dev/null
done

echo "## export of every event" >&2
# The plain table holds the same events; sqlite3 prints five of its columns, one of them the
# whole entry, as CSV: what a hand-rolled export of a SQLite log does.
hyperfine --warmup 1 --runs "$RUNS" -N --export-markdown "$DIR/export-csv.md" \
  -n "auditctl export --format csv" "$BIN --store $STORE export --format csv --output /dev/null" \
  -n "sqlite3 -csv (five columns, plain table)" \
  "sqlite3 -csv $PLAIN 'SELECT seq, time_us, user, action, entry FROM events ORDER BY seq'"
hyperfine --warmup 1 --runs "$RUNS" -N --export-markdown "$DIR/export-jsonl.md" \
  -n "auditctl export --format jsonl" "$BIN --store $STORE export --format jsonl --output /dev/null" \
  -n "sqlite3 (stored entry text)" "sqlite3 $STORE 'SELECT entry FROM entries ORDER BY seq'"

echo "## peak memory (KB) of the exports" >&2
for format in csv jsonl; do
  /usr/bin/time -f "%M KB  auditctl export --format $format" \
    "$BIN" --store "$STORE" export --format "$format" --output /dev/null
done

echo "## verify" >&2
# A checkpoint first, so that verify also checks the stored tree and a recorded root.
"$BIN" --store "$STORE" checkpoint > /dev/null
hyperfine --warmup 1 --runs "$RUNS" -N --export-markdown "$DIR/verify.md" \
  -n "auditctl verify" "$BIN --store $STORE verify" \
  -n "auditctl verify --quick" "$BIN --store $STORE verify --quick" \
  -n "sha256sum of the JSON Lines file" "sha256sum $JSONL"

echo "## peak memory (KB) of verify" >&2
/usr/bin/time -f "%M KB  auditctl verify" "$BIN" --store "$STORE" verify > /dev/null

echo "## Kubernetes import" >&2
benches/k8s.sh
