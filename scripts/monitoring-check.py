#!/usr/bin/env python3
"""Helpers of scripts/monitoring-check.sh for the bundle in deploy/monitoring.

  rules PRULE OUT           write the PrometheusRule's spec.groups as a plain rules file (for promtool)
  dashboard-queries OUT     write every dashboard query as a recording rule (promtool checks the syntax)
  metrics                   every metric and label that rules and dashboards use is one the processes export
  targets MONITORING BASE   each ServiceMonitor selects a Service with its port, and every Brokkr process is scraped
  selftest                  the metric and label check catches a misspelt metric, suffix and label

Which metrics the processes export is derived from the Swift sources, not from scraping /metrics.
swift-prometheus emits a labelled family only once a series of it exists, so a scrape of freshly
started processes lists little more than the unlabelled gauges: a scrape-based check would have to
drive every code path first (an agent applying objects against the Kubernetes emulator, heartbeats,
failed logins, every worker sweep), which makes it an end-to-end test rather than a check. Instead,
every `registry.make…(name: "…", labels: [("…", …)])` call in Sources/ is read, strictly:
  * a registration whose name is not a string literal (e.g. a MetricNameDescriptor) fails the check,
    as does bootstrapping swift-metrics' global MetricsSystem (whose names would come from elsewhere);
  * a registration inside a function that nothing calls does not count as exported (the metric never
    appears in /metrics), and is reported;
  * histograms export NAME_bucket (with `le`), NAME_sum and NAME_count, never NAME itself.
"""
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
MONITORING = ROOT / "deploy" / "monitoring"

# Labels Prometheus (through a ServiceMonitor) attaches to every scraped series.
TARGET_LABELS = {"namespace", "service", "pod", "container", "endpoint", "job", "instance"}
# Services/Deployments of deploy/kubernetes/base that run a Brokkr process serving /metrics.
PROCESSES = ["brokkr-api", "brokkr-webhooks", "brokkr-workorders", "brokkr-audit", "brokkr-cleanup", "brokkr-agent"]


def fail(problems):
    for p in problems:
        print(f"monitoring-check: {p}", file=sys.stderr)
    sys.exit(1)


# ------------------------------------------------------------------------------------------ sources

MAKE = re.compile(r"\.make(Counter|FloatingPointCounter|Gauge|DurationHistogram|ValueHistogram|Summary)\s*\(")
FUNC = re.compile(r"\bfunc\s+([A-Za-z_]\w*)|(?<![.\w])(init)\s*[(<]")


def balanced(text, start):
    """The text between the parenthesis at `start` and its match (string literals respected)."""
    depth, i, in_string = 0, start, False
    while i < len(text):
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    raise ValueError("unbalanced parentheses")


def exported_metrics(sources=ROOT / "Sources"):
    """{series name: {"labels": set, "where": "file:line"}} and the list of problems/notes."""
    files = {p: p.read_text() for p in sorted(sources.rglob("*.swift"))}
    problems, unreachable, families = [], [], {}
    for path, text in files.items():
        rel = path.relative_to(ROOT)
        if re.search(r"MetricsSystem\.bootstrap|PrometheusMetricsFactory", text):
            problems.append(f"{rel}: swift-metrics' MetricsSystem is bootstrapped; metric names then come from "
                            "Counter(label:)/Timer(label:) calls and libraries, which this check does not read")
        for m in MAKE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            args = balanced(text, m.end() - 1)
            name = re.match(r'\s*name:\s*"([A-Za-z_:][A-Za-z0-9_:]*)"', args)
            if not name:
                problems.append(f"{rel}:{line}: a metric registration without a literal `name:` "
                                f"(make{m.group(1)}({args.strip()[:60]}…)); keep names literal or extend this check")
                continue
            labels = set()
            block = re.search(r"labels:\s*\[", args)
            if block:
                labels = set(re.findall(r'\(\s*"([A-Za-z_]\w*)"\s*,', args[block.end():]))
            # The function the registration runs in must be called from somewhere.
            funcs = [f for f in FUNC.finditer(text, 0, m.start())]
            func = (funcs[-1].group(1) or funcs[-1].group(2)) if funcs else None
            if func and func != "init":
                calls = sum(len(re.findall(rf"(?<!func )\b{func}\s*\(", t)) for t in files.values())
                if calls == 0:
                    unreachable.append(f"{name.group(1)} ({rel}:{line}, in {func}(), which nothing calls)")
                    continue
            kind = m.group(1)
            base = name.group(1)
            if "Histogram" in kind or kind == "Summary":
                series = {base + "_bucket": labels | {"le"}, base + "_sum": labels, base + "_count": labels}
                if kind == "Summary":
                    series = {base: labels | {"quantile"}, base + "_sum": labels, base + "_count": labels}
            else:
                series = {base: labels}
            for s, ls in series.items():
                entry = families.setdefault(s, {"labels": set(), "where": f"{rel}:{line}"})
                entry["labels"] |= ls
    return families, problems, unreachable


# ------------------------------------------------------------------------------------------- PromQL

LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
                "quantile", "limitk", "limit_ratio"}
KEYWORDS = LABEL_LIST_KEYWORDS | AGGREGATIONS | {"bool", "and", "or", "unless", "offset", "inf", "nan", "atan2"}
TOKEN = re.compile(r"""
    (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<number>0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[a-zA-Z]*|\.\d+)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],@])
  | (?P<space>\s+)
""", re.X)


def grafana_to_promql(expr):
    """Grafana's variables outside strings, replaced by something PromQL parses."""
    out, i = [], 0
    for m in re.finditer(r'"(?:\\.|[^"\\])*"|\$\{[^}]*\}|\$\w+|\[\[\w+\]\]', expr):
        out.append(expr[i:m.start()])
        token = m.group(0)
        out.append(token if token.startswith('"') else "5m")
        i = m.end()
    out.append(expr[i:])
    return "".join(out)


def tokens(expr):
    pos, result = 0, []
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "space":
            result.append((m.lastgroup, m.group(0)))
    return result


def analyse(expr):
    """Metric names with the labels their selectors match on, and the grouping labels, of a PromQL query."""
    toks = tokens(grafana_to_promql(expr))
    metrics, grouping = [], set()
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        nxt = toks[i + 1][1] if i + 1 < len(toks) else None
        if kind == "ident" and text in LABEL_LIST_KEYWORDS:
            if nxt == "(":
                j = i + 2
                while toks[j][1] != ")":
                    if toks[j][0] == "ident":
                        grouping.add(toks[j][1])
                    j += 1
                i = j + 1
                continue
        elif kind == "ident" and text not in KEYWORDS and nxt != "(":
            matchers = set()
            if nxt == "{":
                j = i + 2
                while toks[j][1] != "}":
                    if toks[j][0] == "ident":
                        matchers.add(toks[j][1])
                    j += 1
                i = j
            metrics.append((text, matchers))
        elif kind == "op" and text == "{":  # a selector without a metric name
            j = i + 1
            name, matchers = None, set()
            while toks[j][1] != "}":
                if toks[j] == ("ident", "__name__") and toks[j + 1][1] == "=":
                    name = toks[j + 2][1][1:-1]
                elif toks[j][0] == "ident":
                    matchers.add(toks[j][1])
                j += 1
            metrics.append((name or "<no metric name>", matchers))
            i = j
        i += 1
    return metrics, grouping


def check_query(where, expr, exported):
    problems = []
    try:
        metrics, grouping = analyse(expr)
    except (ValueError, IndexError) as error:
        return [f"{where}: cannot parse {expr!r}: {error}"], set()
    available = set(TARGET_LABELS)
    for name, matchers in metrics:
        if name not in exported:
            hint = ""
            for suffix in ("_bucket", "_sum", "_count"):
                if name + suffix in exported:
                    hint = f" (a histogram: use {name}_bucket, _sum or _count)"
            problems.append(f"{where}: {name} is not a metric the processes export{hint}")
            continue
        labels = exported[name]["labels"]
        available |= labels
        for label in matchers - labels - TARGET_LABELS - {"__name__"}:
            problems.append(f"{where}: {name} has no label {label!r} (it has: {', '.join(sorted(labels)) or 'none'})")
    for label in grouping - available:
        problems.append(f"{where}: grouping by {label!r}, which none of its metrics has")
    return problems, {name for name, _ in metrics}


# ------------------------------------------------------------------------------- rules and dashboards

def load_rule_groups(path=MONITORING / "prometheusrule.yaml"):
    documents = list(yaml.safe_load_all(pathlib.Path(path).read_text()))
    rules = [d for d in documents if d and d.get("kind") == "PrometheusRule"]
    if len(rules) != 1:
        fail([f"prometheusrule.yaml holds {len(rules)} PrometheusRules, expected 1"])
    return rules[0]["spec"]["groups"]


def dashboards():
    for path in sorted((MONITORING / "dashboards").glob("*.json")):
        yield path, json.loads(path.read_text())


def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


def dashboard_queries(dashboard):
    """(where, PromQL, label, problem) for every panel target (label None) and every templating query,
    which must be label_values(selector, label)."""
    for panel in panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield f"panel {panel.get('title')!r} {target.get('refId', '')}", target["expr"], None, None
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        m = re.fullmatch(r"\s*label_values\((.*),\s*([A-Za-z_]\w*)\s*\)\s*", query or "")
        if not m:
            yield f"variable {variable.get('name')}", query, None, "only label_values(selector, label) is supported"
            continue
        yield f"variable {variable.get('name')}", m.group(1), m.group(2), None


def check_metrics(exported):
    problems, used = [], set()
    for group in load_rule_groups():
        for rule in group["rules"]:
            found, names = check_query(f"rule {rule.get('alert') or rule.get('record')}", rule["expr"], exported)
            problems += found
            used |= names
    count = 0
    for path, dashboard in dashboards():
        for where, expr, label, problem in dashboard_queries(dashboard):
            where = f"{path.relative_to(ROOT)} {where}"
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            found, names = check_query(where, expr, exported)
            if label is not None:
                known = set(TARGET_LABELS).union(*(exported.get(n, {"labels": set()})["labels"] for n in names))
                if label not in known:
                    found.append(f"{where}: label_values over {label!r}, which {', '.join(names)} does not have")
            problems += found
            used |= names
            count += 1
    if count == 0:
        problems.append("no dashboard queries found under deploy/monitoring/dashboards")
    return problems, used


# --------------------------------------------------------------------------------------- commands

def dump(document):
    """YAML with multi-line strings (PromQL) as literal blocks, readable in promtool's messages."""
    class Dumper(yaml.SafeDumper):
        pass
    Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, width=1000)


def cmd_rules(source, out):
    pathlib.Path(out).write_text(dump({"groups": load_rule_groups(source)}))


def cmd_dashboard_queries(out):
    rules = []
    for path, dashboard in dashboards():
        for n, (where, expr, label, problem) in enumerate(dashboard_queries(dashboard)):
            if problem:
                continue  # reported by `metrics`
            expr = grafana_to_promql(expr)
            if label is not None:
                expr = f"count by ({label}) ({expr})"
            rules.append({"record": f"dashboard:{path.stem.replace('-', '_')}:q{n}", "expr": expr})
    pathlib.Path(out).write_text(dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}))
    print(f"{len(rules)} dashboard queries")


def cmd_metrics():
    exported, problems, unreachable = exported_metrics()
    if problems:
        fail(problems)
    if not exported:
        fail(["found no metric registrations under Sources/"])
    print("Exported (from Sources/):")
    for name in sorted(exported):
        labels = ",".join(sorted(exported[name]["labels"]))
        print(f"  {name}{{{labels}}}  {exported[name]['where']}")
    for note in unreachable:
        print(f"  registered but never recorded, so not exported: {note}")
    problems, used = check_metrics(exported)
    if problems:
        fail(problems)
    print(f"All {len(used)} metrics used by rules and dashboards are exported, with the labels used.")


def selectors(service_monitor):
    selector = service_monitor["spec"]["selector"]
    labels = selector.get("matchLabels", {})
    expressions = selector.get("matchExpressions", [])

    def matches(metadata_labels):
        if any(metadata_labels.get(k) != v for k, v in labels.items()):
            return False
        for e in expressions:
            value = metadata_labels.get(e["key"])
            if e["operator"] == "In" and value not in e["values"]:
                return False
            if e["operator"] == "NotIn" and value in e["values"]:
                return False
            if e["operator"] == "Exists" and value is None:
                return False
            if e["operator"] == "DoesNotExist" and value is not None:
                return False
        return True
    return matches


def cmd_targets(monitoring, base):
    """The ServiceMonitors against the rendered base: every monitor finds a Service with the port it
    scrapes, that port leads to a container port of a Deployment, and every Brokkr process is scraped."""
    docs = [d for d in yaml.safe_load_all(open(monitoring)) if d]
    base_docs = [d for d in yaml.safe_load_all(open(base)) if d]
    services = [d for d in base_docs if d["kind"] == "Service"]
    deployments = {d["metadata"]["name"]: d for d in base_docs if d["kind"] == "Deployment"}
    monitors = [d for d in docs if d["kind"] == "ServiceMonitor"]
    problems, scraped = [], set()
    for monitor in monitors:
        name = monitor["metadata"]["name"]
        matches = selectors(monitor)
        selected = [s for s in services if matches(s["metadata"].get("labels", {}))]
        if not selected:
            problems.append(f"ServiceMonitor {name} selects no Service of deploy/kubernetes/base")
        for endpoint in monitor["spec"]["endpoints"]:
            if endpoint.get("interval") != "30s":
                problems.append(f"ServiceMonitor {name}: interval {endpoint.get('interval')}, expected 30s")
            if endpoint.get("path", "/metrics") != "/metrics":
                problems.append(f"ServiceMonitor {name}: path {endpoint.get('path')}, the processes serve /metrics")
            for service in selected:
                sname = service["metadata"]["name"]
                port = next((p for p in service["spec"]["ports"] if p.get("name") == endpoint["port"]), None)
                if port is None:
                    problems.append(f"ServiceMonitor {name}: Service {sname} has no port {endpoint['port']!r}")
                    continue
                pods = [d for d in deployments.values()
                        if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v
                               for k, v in service["spec"]["selector"].items())]
                container_ports = {(p.get("name"), p["containerPort"]) for d in pods
                                   for c in d["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
                target = port.get("targetPort", port["port"])
                if not any(target in pair for pair in container_ports):
                    problems.append(f"Service {sname}: targetPort {target!r} is no container port of its pods")
                scraped |= {d["metadata"]["name"] for d in pods}
    for process in PROCESSES:
        if process not in deployments:
            problems.append(f"deploy/kubernetes/base has no Deployment {process}")
        elif process not in scraped:
            problems.append(f"no ServiceMonitor scrapes {process}")
    if not any(d["kind"] == "PrometheusRule" for d in docs):
        problems.append("the monitoring bundle has no PrometheusRule")
    dashboards_cm = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"].get("labels", {}).get("grafana_dashboard")]
    shipped = {k for d in dashboards_cm for k in d.get("data", {})}
    for path, _ in dashboards():
        if path.name not in shipped:
            problems.append(f"dashboard {path.name} is not in the kustomization's dashboard ConfigMap")
    if problems:
        fail(problems)
    print(f"{len(monitors)} ServiceMonitors scrape {', '.join(sorted(scraped))}; "
          f"{len(shipped)} dashboards in ConfigMap {', '.join(d['metadata']['name'] for d in dashboards_cm)}")


def cmd_selftest():
    """The check must reject what it exists to reject."""
    exported, _, _ = exported_metrics()
    cases = {
        'sum(rate(brokkr_http_request_total[5m]))': "is not a metric the processes export",
        'histogram_quantile(0.95, rate(brokkr_http_request_duration_seconds[5m]))': "a histogram: use",
        'sum by (route) (rate(brokkr_http_requests_total[5m]))': "grouping by 'route'",
        'brokkr_agent_poll_requests_total{result="error"}': "has no label 'result'",
        '{__name__="brokkr_agent_polls_total"}': "is not a metric the processes export",
    }
    for expr, expected in cases.items():
        problems, _ = check_query("selftest", expr, exported)
        if not any(expected in p for p in problems):
            fail([f"selftest: {expr!r} was not rejected with {expected!r} (got {problems})"])
    good = ('histogram_quantile(0.95, sum by (namespace, endpoint, le) '
            '(rate(brokkr_http_request_duration_seconds_bucket{job="brokkr-api", status!="x"}[$__rate_interval])))')
    problems, _ = check_query("selftest", good.replace(', status!="x"', ""), exported)
    if problems:
        fail([f"selftest: a valid query was rejected: {problems}"])
    problems, _ = check_query("selftest", good, exported)
    if not any("has no label 'status'" in p for p in problems):
        fail(["selftest: the histogram's missing status label was not caught"])
    print(f"selftest: {len(cases) + 1} wrong queries rejected, a right one accepted")


if __name__ == "__main__":
    commands = {"rules": cmd_rules, "dashboard-queries": cmd_dashboard_queries, "metrics": cmd_metrics,
                "targets": cmd_targets, "selftest": cmd_selftest}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
