#!/usr/bin/env bash
# The test command: starts its own PostgreSQL, builds once (debug) and runs every test — the Swift
# suites, then Brokkr's published Python SDK and schemathesis against a running broker.
# Arguments are passed to `swift test` (e.g. --filter ContractTests); with arguments the SDK suite
# is skipped unless BROKKR_SDK_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BROKKR_TEST_PG_PORT:-54329}
data=$(mktemp -d /tmp/brokkr-test-pg.XXXXXX)
products=$(mktemp -d /tmp/brokkr-products.XXXXXX)
trap 'scripts/postgres.sh stop "$data"; rm -rf "$data" "$products"' EXIT
scripts/postgres.sh start "$data" "$port"
psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE brokkr_test" >/dev/null
# Offline validation of deploy/ manifests (Kubernetes JSON schemas bundled in the package).
command -v kubernetes-validate >/dev/null || python3 -m pip install -q kubernetes-validate
# Headless Chromium loads /swagger-ui in the SDK suite; openssl makes the certificates of the TLS tests.
missing=""
command -v chromium >/dev/null || missing="$missing chromium"
[ -x /usr/bin/openssl ] || missing="$missing openssl"
if [ -n "$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; fi
export BROKKR_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/brokkr_test"
# The official JSON-Schema-Test-Suite: JSON_SCHEMA_TEST_SUITE, else the copy the jsonschema source
# distribution on PyPI ships under json/ (fetched once into .build/).
if [ -z "${JSON_SCHEMA_TEST_SUITE:-}" ]; then
  suite=.build/json-schema-test-suite/jsonschema-4.23.0/json
  if [ ! -d "$suite/tests" ]; then
    mkdir -p .build/json-schema-test-suite
    python3 -m pip download -q --no-binary :all: --no-deps --dest .build/json-schema-test-suite jsonschema==4.23.0
    tar xzf .build/json-schema-test-suite/jsonschema-4.23.0.tar.gz -C .build/json-schema-test-suite jsonschema-4.23.0/json
  fi
  export JSON_SCHEMA_TEST_SUITE="$PWD/$suite"
fi
# The one build: everything in debug, tests included, through the image's build script, whose
# executables scripts/image-check.sh then checks without building again.
scripts/build-products.sh debug "$products" --build-tests
# The Swift output is long and CI shows its tail: on failure, repeat the failed tests' lines last.
swift_log=$(mktemp /tmp/brokkr-swift-test.XXXXXX)
if ! swift test --skip-build "$@" 2>&1 | tee "$swift_log"; then
  echo "==== swift test failed; the failures:"
  grep -E "error: |: error -|' failed \(|✘" "$swift_log" | tail -60 || true
  rm -f "$swift_log"
  exit 1
fi
rm -f "$swift_log"
if [ $# -eq 0 ]; then scripts/monitoring-check.sh; BROKKR_PRODUCTS="$products" scripts/image-check.sh; fi
if [ $# -eq 0 ] || [ "${BROKKR_SDK_TESTS:-0}" = 1 ]; then
  scripts/sdk-tests.sh "postgres://postgres@127.0.0.1:$port/postgres"
fi
