#!/usr/bin/env bash
# `browse` on a big store: the first screen in a real pseudo-terminal (process start to the
# status line), and each key from the key to the frame (cargo bench --bench browse).
#
#   benches/browse.sh              # 1,000,000 events
#   EVENTS=100000 benches/browse.sh
#
# Needs python3 (standard library only). Shares its store with benches/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
DIR=${BENCH_DIR:-target/bench}
mkdir -p "$DIR"
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
STORE=$DIR/store-$EVENTS.db
if [ ! -f "$STORE" ]; then
  echo "generating $EVENTS demo events…" >&2
  "$BIN" --store "$STORE" demo --events "$EVENTS" --seed 1 --end 2026-11-24T00:00:00Z
fi
python3 benches/browse_first_screen.py "$BIN" "$STORE" 20
cargo bench --quiet --bench browse -- "$STORE"
