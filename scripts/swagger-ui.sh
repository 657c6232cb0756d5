#!/usr/bin/env bash
# Installs Swagger UI's assets into DIR (default .local/swagger-ui) from PyPI's swagger-ui-bundle, so
# the broker's /swagger-ui page works offline. Point the broker at DIR with broker.swagger_ui_dir.
set -euo pipefail
dest=${1:-.local/swagger-ui}
version=1.1.0 ui=swagger-ui-4.15.5
[ -f "$dest/swagger-ui-bundle.js" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download -q --no-deps --dest "$work" "swagger-ui-bundle==$version"
python3 - "$work"/swagger_ui_bundle-*.whl "$dest" "$ui" <<'PY'
import os, sys, zipfile
wheel, dest, ui = sys.argv[1:4]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "LICENSE"):
        member = f"swagger_ui_bundle/vendor/{ui}/{name}"
        if member in z.namelist():
            with open(os.path.join(dest, name), "wb") as out:
                out.write(z.read(member))
PY
echo "Swagger UI assets in $dest"
