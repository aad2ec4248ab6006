#!/usr/bin/env bash
# Load test of `auditctl serve` on loopback: CLIENTS concurrent clients list pages and export
# for SECONDS, then it reports requests, errors and p50/p99 latency, and stops by itself.
#
#   benches/load.sh STORE            # 50 clients, 30 s
#   CLIENTS=10 SECONDS_=5 benches/load.sh STORE
#
# Needs curl. The server listens on 127.0.0.1 only, with a token of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${1:?usage: benches/load.sh STORE}
CLIENTS=${CLIENTS:-50}
DURATION=${SECONDS_:-30}
PORT=${PORT:-18231}
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/auditctl
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ -x "$BIN" ] || cargo build --release --quiet
# One token per client: the rate limit is per token.
for n in $(seq "$CLIENTS"); do
  "$BIN" token new --tokens "$WORK/tokens.toml" --name "load-$n" --scope view > "$WORK/token-$n"
done
"$BIN" --store "$STORE" serve --listen "127.0.0.1:$PORT" --tokens "$WORK/tokens.toml" 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

client() {
  local n=$1 end=$((SECONDS + DURATION)) i=0 token
  token=$(cat "$WORK/token-$n")
  while [ "$SECONDS" -lt "$end" ]; do
    i=$((i + 1))
    if [ $((i % 10)) -eq 0 ]; then
      # Every tenth request: a CSV export of one user's deletes (streamed).
      url="http://127.0.0.1:$PORT/v1/events?user=alice&action=DELETE"
      accept="text/csv"
    elif [ $((i % 2)) -eq 0 ]; then
      # The first page of `list`.
      url="http://127.0.0.1:$PORT/v1/events?limit=50"
      accept="application/json"
    else
      # A page of one user's updates (indexed).
      url="http://127.0.0.1:$PORT/v1/events?limit=50&user=bob&action=UPDATE"
      accept="application/json"
    fi
    curl -s -o /dev/null -H "Authorization: Bearer $token" -H "Accept: $accept" \
      -w '%{http_code} %{time_total}\n' "$url" >> "$WORK/client-$n.txt" || echo "000 0" >> "$WORK/client-$n.txt"
  done
}
for n in $(seq "$CLIENTS"); do client "$n" & done
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true

cat "$WORK"/client-*.txt > "$WORK/all.txt"
total=$(wc -l < "$WORK/all.txt")
errors=$(awk '$1 != 200' "$WORK/all.txt" | wc -l)
sort -n -k2 "$WORK/all.txt" | awk -v n="$total" '
  NR == int(n * 0.50) + 1 { p50 = $2 }
  NR == int(n * 0.99) + 1 { p99 = $2 }
  END { printf "requests %d, p50 %.1f ms, p99 %.1f ms\n", n, p50 * 1000, p99 * 1000 }'
echo "errors (status other than 200): $errors"
[ "$errors" -eq 0 ]
