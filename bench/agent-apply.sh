#!/usr/bin/env bash
# Benchmark: 500 mixed objects (+5 namespaces; per namespace 40 ConfigMaps, 30 Services, 20 Deployments, 10 Secrets)
# applied through the agent's reconciler (`brokkr-agent apply`: namespaces first, dry run, forced
# server-side apply, prune) and through `kubectl apply --server-side`, each into a fresh
# brokkr-kube-emulator (same binary), in the same run, then each the same file again (nothing changed).
# Prints the times and both ratios.
#   bench/agent-apply.sh [--latency MS]   (release build; BENCH_CONFIG=debug to skip it)
# --latency (default 5, or BENCH_LATENCY_MS) is added to every API request by the emulator, as the
# round trip to a real API server would be; --latency 0 measures the emulator alone.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${BENCH_CONFIG:-release}; port=${BENCH_KUBE_PORT:-18431}; latency=${BENCH_LATENCY_MS:-5}
while [ $# -gt 0 ]; do
  case "$1" in
    --latency) latency=$2; shift 2 ;;
    --latency=*) latency=${1#--latency=}; shift ;;
    *) echo "usage: bench/agent-apply.sh [--latency MS]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
cleanup() { if [ -n "${emu:-}" ]; then kill "$emu" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
swift build -c "$config" --product brokkr-agent >/dev/null
swift build -c "$config" --product brokkr-kube-emulator >/dev/null
bin=$(swift build -c "$config" --show-bin-path)

python3 - "$work/objects.yaml" <<'PY'
import sys
docs = []
for n in range(5):
    ns = f"bench-{n}"
    docs.append(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n")
for n in range(5):
    ns = f"bench-{n}"
    for i in range(40):
        docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: {ns}\ndata:\n  key: value-{i}\n")
    for i in range(30):
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\nspec:\n  selector:\n    app: app-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n")
    for i in range(20):
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {ns}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n")
    for i in range(10):
        docs.append(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-{i}\n  namespace: {ns}\nstringData:\n  token: t-{i}\n")
open(sys.argv[1], "w").write("---\n".join(docs))
print(f"{len(docs)} objects", file=sys.stderr)
PY

start_emulator() {
  "$bin/brokkr-kube-emulator" --port "$port" --log-level critical --namespace-deletion-delay 0 --latency "$latency" > "$work/emulator.log" 2>&1 & emu=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/version" >/dev/null && return; sleep 0.1; done
  echo "emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1
}
stop_emulator() { kill "$emu"; wait "$emu" 2>/dev/null || true; emu=; }
now() { python3 -c 'import time; print(time.monotonic())'; }

seconds() { python3 -c "print(f'{$2 - $1:.2f}')"; }
kubectl_apply() { kubectl --server "http://127.0.0.1:$port" apply --server-side -f "$work/objects.yaml" > /dev/null; }
agent_apply() { BROKKR__LOG__LEVEL=warn "$bin/brokkr-agent" apply --server "http://127.0.0.1:$port" --stack-id bench -f "$work/objects.yaml" > /dev/null; }

# Each tool: a fresh apply into an empty emulator, then the same file again (nothing changed).
start_emulator
t0=$(now); kubectl_apply; t1=$(now); kubectl_apply; t2=$(now)
kubectl_s=$(seconds "$t0" "$t1"); kubectl_again_s=$(seconds "$t1" "$t2")
count=$(kubectl --server "http://127.0.0.1:$port" get cm,svc,deploy,secret -A --no-headers 2>/dev/null | grep -c bench- || true)
stop_emulator

start_emulator
t0=$(now); agent_apply; t1=$(now); agent_apply; t2=$(now)
agent_s=$(seconds "$t0" "$t1"); agent_again_s=$(seconds "$t1" "$t2")
agent_count=$(kubectl --server "http://127.0.0.1:$port" get cm,svc,deploy,secret -A -l k8s.brokkr.io/stack=bench --no-headers 2>/dev/null | grep -c bench- || true)
stop_emulator

echo "build: $config; API latency ${latency} ms; 505 objects: 5 Namespaces + 200 ConfigMaps, 150 Services, 100 Deployments, 50 Secrets"
echo "fresh apply:     kubectl apply --server-side ${kubectl_s}s ($count objects present), brokkr-agent ${agent_s}s ($agent_count present; dry run, apply and prune)"
echo "unchanged again: kubectl ${kubectl_again_s}s, brokkr-agent ${agent_again_s}s (one list per type finds everything applied)"
python3 -c "print(f'ratio agent / kubectl: fresh {$agent_s / $kubectl_s:.2f} (goal <= 0.5), unchanged {$agent_again_s / $kubectl_again_s:.2f} (goal <= 0.2)')"
