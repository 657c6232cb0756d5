#!/usr/bin/env bash
# Runs Brokkr's published clients against a real broker built from this tree:
#   1. pytest over Tests/SDK, driving the whole workflow through brokkr-client-generated 0.4.2 and
#      the brokkr-client wrapper (PyPI), unchanged;
#   2. schemathesis against the served /docs/openapi.json, every operation, as the admin, failing on
#      any 5xx and any response that the document does not describe.
# Usage: scripts/sdk-tests.sh POSTGRES_ADMIN_URL   (e.g. postgres://postgres@127.0.0.1:54329/postgres)
# Needs .build/debug/brokkr-api and brokkr-audit (scripts/test.sh builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
admin_url=${1:?usage: scripts/sdk-tests.sh POSTGRES_ADMIN_URL}
bin=${BROKKR_BIN:-.build/debug}
work=$(mktemp -d /tmp/brokkr-sdk.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

venv=${BROKKR_SDK_VENV:-.build/sdk-venv}
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s Tests/SDK/requirements.txt "$venv/requirements.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r Tests/SDK/requirements.txt
  cp Tests/SDK/requirements.txt "$venv/requirements.txt"
fi
scripts/swagger-ui.sh "$work/swagger-ui" >/dev/null

# A broker of its own: a fresh database, a free port, the audit batcher for the audit-log test.
db="brokkr_sdk_$$"
psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BROKKR__DATABASE__URL="${admin_url%/*}/$db"
export BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export BROKKR__BROKER__SWAGGER_UI_DIR="$work/swagger-ui" BROKKR__LOG__LEVEL=warn TMPDIR="$work"
"$bin/brokkr-api" serve --host 127.0.0.1 --port "$port" > "$work/api.log" 2>&1 & pids+=($!)
BROKKR__WORKERS__HEALTH_PORT=0 "$bin/brokkr-audit" > "$work/audit.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/api.log"; echo "brokkr-api did not start" >&2; exit 1; }
  sleep 0.2
done
admin=$(sed -n 's/^Admin PAK: //p' "$work/api.log" | head -1)
[ -n "$admin" ] || { cat "$work/api.log"; echo "no admin PAK printed" >&2; exit 1; }
export BROKKR_URL="http://127.0.0.1:$port" BROKKR_ADMIN_PAK="$admin"

echo "== Brokkr's published SDK (brokkr-client-generated 0.4.2) against $BROKKR_URL"
"$venv/bin/pytest" -q -p no:cacheprovider Tests/SDK

echo "== schemathesis against $BROKKR_URL/docs/openapi.json"
"$venv/bin/schemathesis" run "$BROKKR_URL/docs/openapi.json" --url "$BROKKR_URL/api/v1" \
  -H "Authorization: Bearer $admin" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" --seed 1 --suppress-health-check all \
  --phases examples,coverage,fuzzing

kill "${pids[@]}" 2>/dev/null || true
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
