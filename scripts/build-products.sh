#!/usr/bin/env bash
# Builds every product in one `swift build` and copies each executable that Package.swift declares
# into OUTDIR; fails if one is missing. deploy/Containerfile runs it (release, static Swift stdlib),
# scripts/image-check.sh runs it in debug. (`swift build --product` builds only its last occurrence,
# so the products are not named on the command line.)
# Usage: scripts/build-products.sh debug|release OUTDIR [swift build arguments, e.g. --static-swift-stdlib]
set -euo pipefail
usage="usage: scripts/build-products.sh debug|release OUTDIR [swift build arguments]"
config=${1:?$usage}
out=${2:?$usage}
shift 2
case "$config" in debug|release) ;; *) echo "$usage" >&2; exit 2 ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
# `.executable(name: "…"` in Package.swift; no JSON tooling needed (the build image has no python3).
products=$(sed -n 's/.*\.executable(name: *"\([^"]*\)".*/\1/p' Package.swift)
[ -n "$products" ] || { echo "no .executable products found in Package.swift" >&2; exit 1; }
swift build -c "$config" "$@"
bin=$(swift build -c "$config" "$@" --show-bin-path)
missing=0
for product in $products; do
  if [ -f "$bin/$product" ] && [ -x "$bin/$product" ]; then
    cp "$bin/$product" "$out/"
    echo "$out/$product"
  else
    echo "missing after the build: $bin/$product" >&2
    missing=1
  fi
done
exit $missing
