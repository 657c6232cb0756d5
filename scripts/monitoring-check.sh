#!/usr/bin/env bash
# Checks the monitoring bundle in deploy/monitoring:
#   1. the PrometheusRule's spec.groups pass `promtool check rules`;
#   2. `promtool test rules` with deploy/monitoring/tests/*.test.yaml: each alert fires on synthetic
#      series that break it, after its `for`, and not on healthy ones;
#   3. every dashboard query parses (promtool, as recording rules);
#   4. every metric and label used by rules and dashboards is one the processes export — derived from
#      the registrations in Sources/ (scripts/monitoring-check.py explains why not from a scrape),
#      after a self-test that this check rejects misspelt metrics, suffixes and labels;
#   5. the bundle renders with kustomize, each ServiceMonitor finds a Service and port of
#      deploy/kubernetes/base, and every Brokkr process is scraped.
# promtool comes from Debian's `prometheus` package, PyYAML from PyPI, when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml
work=$(mktemp -d /tmp/brokkr-monitoring.XXXXXX)
trap 'rm -rf "$work"' EXIT
check=scripts/monitoring-check.py

echo "== promtool check rules (deploy/monitoring/prometheusrule.yaml spec.groups)"
python3 "$check" rules deploy/monitoring/prometheusrule.yaml "$work/brokkr-rules.yaml"
promtool check rules "$work/brokkr-rules.yaml"

echo "== promtool test rules (deploy/monitoring/tests)"
tests=(deploy/monitoring/tests/*.test.yaml)
[ -e "${tests[0]}" ] || { echo "no rule tests in deploy/monitoring/tests" >&2; exit 1; }
for test in "${tests[@]}"; do
  # The tests name the rules file `brokkr-rules.yaml`, relative to themselves.
  cp "$test" "$work/"
  promtool test rules "$work/$(basename "$test")"
done

echo "== dashboard queries parse"
python3 "$check" dashboard-queries "$work/dashboard-queries.yaml"
promtool check rules "$work/dashboard-queries.yaml"

echo "== metric and label names against Sources/"
python3 "$check" selftest
python3 "$check" metrics

echo "== kustomize render and scrape targets"
kubectl kustomize deploy/monitoring > "$work/monitoring.yaml"
kubectl kustomize deploy/kubernetes/base > "$work/base.yaml"
python3 "$check" targets "$work/monitoring.yaml" "$work/base.yaml"
echo "monitoring-check: OK"
