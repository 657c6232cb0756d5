#!/usr/bin/env bash
# The test command: starts its own PostgreSQL, builds once (debug) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BROKKR_TEST_PG_PORT:-54329}
data=$(mktemp -d /tmp/brokkr-test-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$data"; rm -rf "$data"' EXIT
scripts/postgres.sh start "$data" "$port"
psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE brokkr_test" >/dev/null
# Offline validation of deploy/ manifests (Kubernetes JSON schemas bundled in the package).
command -v kubernetes-validate >/dev/null || python3 -m pip install -q kubernetes-validate
export BROKKR_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/brokkr_test"
export JSON_SCHEMA_TEST_SUITE="${JSON_SCHEMA_TEST_SUITE:-$(cd .. && pwd)/shared/testdata/json-schema-test-suite}"
swift build --build-tests
swift test --skip-build "$@"
