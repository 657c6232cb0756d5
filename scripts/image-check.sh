#!/usr/bin/env bash
# Checks the image build: runs scripts/build-products.sh (what deploy/Containerfile runs, here in
# debug) into a temporary directory (or takes what it built into BROKKR_PRODUCTS), then checks that every executable the deployment references —
# `command:`/`args:` of the containers in deploy/kubernetes/** (the files and the rendered overlays)
# and the Containerfile's ENTRYPOINT/CMD — was built, and answers `--help`, and `SUBCOMMAND --help`
# for the subcommand the manifest starts it with (e.g. `brokkr-api serve`), with exit status 0.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml
out=$(mktemp -d /tmp/brokkr-image.XXXXXX)
trap 'rm -rf "$out"' EXIT

grep -q '^COPY scripts/build-products.sh ' deploy/Containerfile \
  && grep -q '^RUN scripts/build-products.sh release /out' deploy/Containerfile \
  || { echo "image-check: deploy/Containerfile does not build with scripts/build-products.sh" >&2; exit 1; }

# BROKKR_PRODUCTS: a directory scripts/build-products.sh has just filled (scripts/test.sh builds
# through it, so a test run builds once: SwiftPM recompiles part of the graph whenever its environment
# differs, as it does in a child script). Without it, the products are built here.
if [ -n "${BROKKR_PRODUCTS:-}" ]; then
  echo "== the products scripts/build-products.sh built into $BROKKR_PRODUCTS"
  cp "$BROKKR_PRODUCTS"/* "$out/"
else
  echo "== scripts/build-products.sh debug $out"
  scripts/build-products.sh debug "$out"
fi

for overlay in deploy/kubernetes/overlays/*/; do
  kubectl kustomize "$overlay" > "$out/rendered-$(basename "$overlay").yaml"
done

# One line per invocation, PATH|SUBCOMMAND|WHERE: the path as the manifest gives it, the subcommand
# words before any option (e.g. `serve`), and the files that start it so.
python3 - "$out" > "$out/invocations.txt" <<'EOF'
import glob, json, re, sys
import yaml

out = sys.argv[1]
BIN = "/usr/local/bin/"  # where the Containerfile puts /out
invocations = {}  # (path, subcommand words) -> where

def words(argv):
    """The subcommand words of an argument list: those before the first option or value."""
    result = []
    for a in argv:
        if a.startswith("-") or "/" in a or "=" in a:
            break
        result.append(a)
    return tuple(result)

def add(path, sub, where):
    invocations.setdefault((path, sub), []).append(where)

def containers(node):
    if isinstance(node, dict):
        for key in ("containers", "initContainers"):
            yield from node.get(key) or []
        for v in node.values():
            yield from containers(v)
    elif isinstance(node, list):
        for v in node:
            yield from containers(v)

entrypoint, cmd = None, []
for line in open("deploy/Containerfile"):
    if line.startswith("ENTRYPOINT "):
        entrypoint = json.loads(line[len("ENTRYPOINT "):])
    elif line.startswith("CMD "):
        cmd = json.loads(line[len("CMD "):])
if not entrypoint:
    sys.exit("deploy/Containerfile has no ENTRYPOINT in exec (JSON) form")
add(entrypoint[0], words(entrypoint[1:] + cmd), "deploy/Containerfile ENTRYPOINT/CMD")

files = sorted(glob.glob("deploy/kubernetes/**/*.yaml", recursive=True)) + sorted(glob.glob(f"{out}/rendered-*.yaml"))
for path in files:
    where = f"overlay {path[len(out) + 10:-5]} (rendered)" if path.startswith(out) else path
    for doc in yaml.safe_load_all(open(path)):
        for c in containers(doc):
            command, args = c.get("command") or [], c.get("args") or []
            image = str(c.get("image", "")).rsplit("/", 1)[-1]
            ours = image.split(":")[0] in ("brokkr", "brokkr-swift")
            if command and (command[0].startswith(BIN) or ours):
                add(command[0], words(command[1:] + args), where)
            elif ours:  # the image's ENTRYPOINT, with `args` in place of CMD if given
                add(entrypoint[0], words(entrypoint[1:] + (args or cmd)), where)
            # Executables named inside arguments, e.g. `sh -c "/usr/local/bin/brokkr-api migrate"`.
            for a in command[1:] + args:
                for m in re.finditer(re.escape(BIN) + r"([A-Za-z0-9_.-]+)((?:[ \t]+[a-z][a-z-]*)*)", str(a)):
                    add(BIN + m.group(1), tuple(m.group(2).split()), where + " (in an argument)")

for (path, sub), wheres in sorted(invocations.items()):
    print("|".join([path, " ".join(sub), ", ".join(sorted(set(wheres)))]))
EOF

echo "== executables the manifests and the Containerfile reference"
failed=0
count=0
while IFS='|' read -r path sub where; do
  count=$((count + 1))
  name=${path#/usr/local/bin/}
  if [ "$name" = "$path" ]; then
    echo "FAIL $path ($where): not under /usr/local/bin, where the image puts the executables" >&2
    failed=1; continue
  fi
  if [ ! -x "$out/$name" ]; then
    echo "FAIL $path ($where): not built by scripts/build-products.sh" >&2
    failed=1; continue
  fi
  for argv in "--help" ${sub:+"$sub --help"}; do
    status=0
    # shellcheck disable=SC2086
    timeout 30 "$out/$name" $argv >"$out/help.txt" 2>&1 </dev/null || status=$?
    # An unknown subcommand followed by --help still prints the top-level help with status 0, so a
    # subcommand's help must show that subcommand's usage line.
    expected=$([ "$argv" = --help ] || echo "USAGE: $name $sub")
    if [ "$status" = 0 ] && [ -s "$out/help.txt" ] && { [ -z "$expected" ] || grep -qE "^$expected( |\$)" "$out/help.txt"; }; then
      echo "ok   $name $argv  <- $where"
    else
      echo "FAIL $name $argv: exit status $status$([ -s "$out/help.txt" ] || echo ", no output")${expected:+, expected \"$expected\"}  <- $where" >&2
      sed 's/^/     /' "$out/help.txt" >&2
      failed=1
    fi
  done
done < "$out/invocations.txt"
[ "$count" -gt 0 ] || { echo "image-check: found no executables in the manifests" >&2; exit 1; }
[ "$failed" = 0 ] || exit 1
echo "image-check: OK ($count invocations)"
