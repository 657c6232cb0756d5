#!/usr/bin/env bash
# Sets up and runs the whole system locally: PostgreSQL (embedded data directory .local/pgdata,
# unless BROKKR__DATABASE__URL points elsewhere), a build, migrations, and every process of the
# Procfile under honcho. The admin PAK is printed on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BROKKR_LOCAL_PG_PORT:-54320}
if [ -z "${BROKKR__DATABASE__URL:-}" ]; then
  scripts/postgres.sh start "$PWD/.local/pgdata" "$port"
  psql -h 127.0.0.1 -p "$port" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='brokkr'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE brokkr"
  export BROKKR__DATABASE__URL="postgres://postgres@127.0.0.1:$port/brokkr"
fi
# Webhook URLs and auth headers are encrypted at rest; the api and brokkr-webhooks refuse to start
# without a key. Locally: one key per checkout, kept in .local so secrets survive restarts.
if [ -z "${BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY:-}" ]; then
  [ -s .local/webhook-encryption-key ] || { mkdir -p .local; python3 -c 'import secrets; print(secrets.token_hex(32))' > .local/webhook-encryption-key; }
  export BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY=$(cat .local/webhook-encryption-key)
fi
command -v honcho >/dev/null || python3 -m pip install -q honcho
swift build
.build/debug/brokkr-api migrate
# Swagger UI's assets (from PyPI), served offline at /swagger-ui.
scripts/swagger-ui.sh .local/swagger-ui
export BROKKR__BROKER__SWAGGER_UI_DIR=${BROKKR__BROKER__SWAGGER_UI_DIR:-$PWD/.local/swagger-ui}
echo "Broker: http://127.0.0.1:${BROKKR__BROKER__PORT:-3000}  (API docs: /swagger-ui; admin PAK below on first start; later: .build/debug/brokkr-api rotate admin)"
exec honcho start
