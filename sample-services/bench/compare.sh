#!/usr/bin/env bash
# Side-by-side issuance figures on this machine, in one run (docs/performance.md):
#   1. openssl speed ecdsap256: the single-core limit for one verify + one sign per certificate
#   2. cfssl serve (P-256 CA) /api/v1/cfssl/sign under wrk -t1 -c8, with one pre-generated CSR
#   3. ./meshca bench issue
# Needs: openssl, cfssl + cfssljson (Debian: golang-cfssl), wrk, jq. Loopback traffic only.
# Usage: sample-services/bench/compare.sh [duration-seconds=20] [extra ./meshca bench issue flags...]
set -euo pipefail

DURATION="${1:-20}"
[[ $# -gt 0 ]] && shift
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
for tool in openssl cfssl cfssljson wrk jq; do
  command -v "$tool" >/dev/null || { echo "compare: $tool is not installed (apt-get install -y golang-cfssl wrk jq)" >&2; exit 2; }
done

WORK="$(mktemp -d /tmp/meshca-compare.XXXXXX)"
CFSSL_PID=""
cleanup() {
  if [[ -n "$CFSSL_PID" ]]; then kill "$CFSSL_PID" 2>/dev/null || true; wait "$CFSSL_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "jdk: $(java -version 2>&1 | head -1)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== openssl speed -seconds 5 ecdsap256 (one core)"
openssl speed -seconds 5 ecdsap256 2>/dev/null | tee "$WORK/openssl.txt" | grep -E "^ *256 bits ecdsa" || true
read -r SIGNS VERIFIES < <(awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1), $NF}' "$WORK/openssl.txt")
LIMIT=$(awk -v s="$SIGNS" -v v="$VERIFIES" 'BEGIN { printf "%d", 1 / (1/s + 1/v) }')
echo "openssl: sign=${SIGNS}/s verify=${VERIFIES}/s limit(1 verify + 1 sign)=${LIMIT}/s per core"

echo "== cfssl serve (P-256 CA), wrk -t1 -c8 -d${DURATION}s POST /api/v1/cfssl/sign"
cd "$WORK"
cat > ca-csr.json <<'JSON'
{"CN": "compare CA", "key": {"algo": "ecdsa", "size": 256}, "names": [{"O": "meshca-compare"}]}
JSON
cat > leaf-csr.json <<'JSON'
{"CN": "bench", "hosts": ["bench.example.org"], "key": {"algo": "ecdsa", "size": 256}}
JSON
cfssl gencert -initca ca-csr.json 2>/dev/null | cfssljson -bare ca
cfssl genkey leaf-csr.json 2>/dev/null | cfssljson -bare leaf
jq -n --rawfile csr leaf.csr '{certificate_request: $csr}' > body.json
cat > post.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/body.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
cfssl serve -ca ca.pem -ca-key ca-key.pem -address 127.0.0.1 -port 8888 >cfssl.log 2>&1 &
CFSSL_PID=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null -X POST -d @body.json http://127.0.0.1:8888/api/v1/cfssl/sign && break
  sleep 0.1
done
curl -s -X POST -d @body.json http://127.0.0.1:8888/api/v1/cfssl/sign | jq -e '.success == true' >/dev/null \
  || { echo "compare: cfssl did not sign; its log:" >&2; cat cfssl.log >&2; exit 1; }
wrk -t1 -c8 -d"${DURATION}s" -s post.lua http://127.0.0.1:8888/api/v1/cfssl/sign | tee wrk.txt
CFSSL_RATE=$(awk '/Requests\/sec/ {printf "%d", $2}' wrk.txt)
NON2XX=$(awk '/Non-2xx/ {print $NF}' wrk.txt); NON2XX="${NON2XX:-0}"
kill "$CFSSL_PID"; wait "$CFSSL_PID" 2>/dev/null || true; CFSSL_PID=""
echo "cfssl: rate=${CFSSL_RATE}/s non2xx=${NON2XX}"

echo "== ./meshca bench issue -duration ${DURATION}s $*"
cd "$ROOT"
./meshca bench issue -duration "${DURATION}s" "$@" 2>"$WORK/meshca.err" | tee "$WORK/meshca.txt"
MESHCA_LINE=$(tail -1 "$WORK/meshca.txt")
MESHCA_RATE=$(sed -E 's/.*rate=([0-9]+)\/s.*/\1/' <<<"$MESHCA_LINE")

echo "== summary"
echo "openssl: sign=${SIGNS}/s verify=${VERIFIES}/s limit=${LIMIT}/s per core"
echo "cfssl: rate=${CFSSL_RATE}/s"
echo "$MESHCA_LINE"
awk -v m="$MESHCA_RATE" -v c="$CFSSL_RATE" -v l="$LIMIT" 'BEGIN {
  printf "meshca/cfssl=%.2fx meshca/limit(1 core)=%.0f%% meshca/limit(2 cores)=%.0f%%\n", m / c, 100 * m / l, 100 * m / (2 * l) }'
