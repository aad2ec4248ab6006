#!/usr/bin/env bash
# Import of a Kubernetes audit log against the import of auditctl's own JSON Lines, for the same
# number of events (issue 8's target: within 2x).
#
#   benches/k8s.sh                 # 1,000,000 requests (about 1.2 GB of audit log)
#   EVENTS=100000 benches/k8s.sh
#
# Needs hyperfine and python3 (for benches/gen_k8s.py). Shares $BENCH_DIR with benches/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-3}
mkdir -p "$DIR"
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "benches/k8s.sh needs $tool" >&2; exit 1; }
done

cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
STORE=$DIR/store-$EVENTS.db
JSONL=$DIR/events-$EVENTS.jsonl
K8S=$DIR/k8s-$EVENTS.log

if [ ! -f "$STORE" ]; then
  "$BIN" --store "$STORE" demo --events "$EVENTS" --seed 1 --end 2026-11-24T00:00:00Z
fi
if [ ! -f "$JSONL" ]; then
  "$BIN" --store "$STORE" list --all --sort seq -o jsonl --reveal > "$JSONL"
fi
if [ ! -f "$K8S" ]; then
  echo "generating a Kubernetes audit log of $EVENTS requests…" >&2
  python3 benches/gen_k8s.py "$EVENTS" > "$K8S"
fi
echo "k8s log: $(wc -l < "$K8S") lines, $(du -h "$K8S" | cut -f1); JSON Lines: $(du -h "$JSONL" | cut -f1)" >&2

# The last run's store is removed and the disk left idle first (sync): freeing it on a file
# system mounted with discard otherwise lands in the next run.
hyperfine --runs "$RUNS" --export-markdown "$DIR/import-k8s.md" \
  --prepare "rm -f $DIR/import.db $DIR/import.db-wal $DIR/import.db-shm; sync" \
  -n "auditctl import (Kubernetes audit log)" "$BIN --store $DIR/import.db import $K8S > /dev/null" \
  -n "auditctl import (auditctl JSON Lines)" "$BIN --store $DIR/import.db import $JSONL > /dev/null"
