#!/usr/bin/env bash
# Load test of one `auditctl serve` on any store (an SQLite file, or a postgres:// URL): the
# request mix of benches/pg_load.rs (appends, pages, revert plans and racing reverts, streamed
# exports) from CLIENTS clients for SECONDS, then the check that every acknowledged event is
# stored, once, with gapless seqs, and `verify`.
#
#   benches/serve.sh STORE                 # 50 clients, 30 s
#   CLIENTS=10 SECONDS_=5 benches/serve.sh STORE
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${1:?usage: benches/serve.sh STORE}
CLIENTS=${CLIENTS:-50}
DURATION=${SECONDS_:-30}
PORT=${PORT:-18251}
cargo build --release --quiet
cargo bench --bench pg_load --no-run --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for n in $(seq "$CLIENTS"); do
  "$BIN" token new --tokens "$WORK/tokens.toml" --name "load-$n" \
    --scope view,view_sensitive,write,revert >> "$WORK/tokens.txt"
done
# --rate well above what a client makes: the store is measured, not the rate limit.
"$BIN" --store "$STORE" serve --listen "127.0.0.1:$PORT" --tokens "$WORK/tokens.toml" \
  --rate 1000 2> "$WORK/server.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
PG_LOAD_SERVERS=http://127.0.0.1:$PORT PG_LOAD_TOKENS=$WORK/tokens.txt PG_LOAD_STORE=$STORE \
  AUDITCTL_BIN=$BIN PG_LOAD_CLIENTS=$CLIENTS PG_LOAD_SECONDS=$DURATION \
  cargo bench --bench pg_load --quiet
kill "$SERVER"
"$BIN" --store "$STORE" verify
