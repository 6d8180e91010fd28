#!/usr/bin/env bash
# The first-SVID burst against this machine's floor, side by side in one run (docs/performance.md):
#   1. unix-floor.c: the same burst of minimal clients against the least a server can do per
#      connection in C (accept, peer credentials, the /proc reads of attestation, one response write)
#   2. ./meshca bench workload-api: the burst against the agent as ./meshca agent starts it
# Needs: a C compiler (cc). Local unix sockets only.
# Usage: sample-services/bench/first-svid-floor.sh [clients=100] [extra ./meshca bench workload-api flags...]
set -euo pipefail

CLIENTS="${1:-100}"
[[ $# -gt 0 ]] && shift
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
command -v cc >/dev/null || { echo "first-svid-floor: no C compiler (apt-get install -y gcc)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/meshca-floor.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -Wall -pthread -o "$WORK/unix-floor" "$HERE/unix-floor.c"

echo "== machine"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== unix-floor (C): $CLIENTS connections per burst, 20 warm-up + 30 measured bursts"
"$WORK/unix-floor" -clients "$CLIENTS" -threads 1 | tee "$WORK/floor1.txt"
"$WORK/unix-floor" -clients "$CLIENTS" -threads "$(nproc)" | tee "$WORK/floor2.txt"

echo "== ./meshca bench workload-api -clients $CLIENTS $*"
"$ROOT/meshca" bench workload-api -clients "$CLIENTS" "$@" | tee "$WORK/meshca.txt" | grep -E '^(bench: [0-9]|workload-api:)'

p99() { grep -E "^$1" "$2" | tail -1 | sed -E 's/.* p99=([0-9.]+).*/\1/'; }
FLOOR=$(printf '%s\n%s\n' "$(p99 floor: "$WORK/floor1.txt")" "$(p99 floor: "$WORK/floor2.txt")" | sort -g | head -1)
MESHCA=$(p99 'workload-api:' "$WORK/meshca.txt")
echo "== side by side"
echo "floor: p99=${FLOOR} (the better of the two unix-floor runs)"
echo "meshca: p99=${MESHCA}"
awk -v m="$MESHCA" -v f="$FLOOR" 'BEGIN { printf "meshca/floor=%.1fx\n", m / f }'
