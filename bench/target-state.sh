#!/usr/bin/env bash
# Benchmark: target-state polls per second for 1,000 agents each targeted by 5 stacks, against
# wrk on /healthz of the same server in the same run: full polls (200 with the document) and
# unchanged polls (If-None-Match with the agent's current ETag, 304), each as a ratio to /healthz.
# Then the broker's database transactions per second while all 1,000 agents hold a long poll open
# (?wait=60 with If-None-Match) and nothing changes. Last, propagation: with all 1,000 long-polling,
# 20 changes to a stack that 100 of them target, p50/p99 of the time until all 100 have it.
#   bench/target-state.sh            (release build; BENCH_CONFIG=debug to skip the release build)
# Needs: PostgreSQL and wrk from Debian's packages (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
config=${BENCH_CONFIG:-release}; duration=${BENCH_DURATION:-15}; conns=${BENCH_CONNECTIONS:-32}
pgport=${BENCH_PG_PORT:-54331}; port=${BENCH_PORT:-3311}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
data=$(mktemp -d /tmp/brokkr-bench-pg.XXXXXX); work=$(mktemp -d)
# The server is waited for before PostgreSQL stops: its graceful shutdown answers the long polls still
# open, which reads their versions (with the database gone it would wait for it instead of exiting).
cleanup() {
  if [ -n "${api:-}" ]; then kill "$api" 2>/dev/null || true; wait "$api" 2>/dev/null || true; fi
  scripts/postgres.sh stop "$data"; rm -rf "$data" "$work"
}
trap cleanup EXIT
scripts/postgres.sh start "$data" "$pgport"
psql -h 127.0.0.1 -p "$pgport" -U postgres -qc "CREATE DATABASE brokkr_bench"
export BROKKR__DATABASE__URL="postgres://postgres@127.0.0.1:$pgport/brokkr_bench" BROKKR__LOG__LEVEL=warn
export BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
swift build -c "$config" --product brokkr-api >/dev/null
bin=$(swift build -c "$config" --show-bin-path)/brokkr-api
"$bin" migrate >/dev/null

# 1,000 agents with known keys, 200 stacks with 3 objects each, every agent targeting 5 stacks.
python3 - "$work" <<'PY'
import hashlib, secrets, sys, uuid
work = sys.argv[1]
gen = uuid.uuid4(); gen_long = secrets.token_hex(16)
sql = [f"INSERT INTO generators (id, name, pak_hash) VALUES ('{gen}', 'bench', '{hashlib.sha256(gen_long.encode()).hexdigest()}');"]
# The stack the propagation run changes, targeted by the first 100 agents (on top of their 5).
propagated = uuid.uuid4()
sql.append(f"INSERT INTO stacks (id, name, generator_id) VALUES ('{propagated}', 'propagated', '{gen}');")
open(f"{work}/propagation.env", "w").write(f"generator_auth='Bearer brokkr_BRbench0_{gen_long}'\npropagated_stack={propagated}\n")
stacks = [uuid.uuid4() for _ in range(200)]
for i, s in enumerate(stacks):
    sql.append(f"INSERT INTO stacks (id, name, generator_id) VALUES ('{s}', 'stack-{i}', '{gen}');")
    for v in range(3):
        y = f"apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cm-{i}\\ndata:\\n  v: version-{v}\\n"
        sql.append(f"INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum) VALUES ('{s}', E'{y}', md5('{i}-{v}'));")
lines = []
for a in range(1000):
    aid = uuid.uuid4(); long = secrets.token_hex(16)
    sql.append(f"INSERT INTO agents (id, name, cluster_name, pak_hash) VALUES ('{aid}', 'agent-{a}', 'c', '{hashlib.sha256(long.encode()).hexdigest()}');")
    for k in range(5):
        sql.append(f"INSERT INTO agent_targets (agent_id, stack_id) VALUES ('{aid}', '{stacks[(a * 5 + k) % 200]}');")
    if a < 100:
        sql.append(f"INSERT INTO agent_targets (agent_id, stack_id) VALUES ('{aid}', '{propagated}');")
    lines.append(f'{{"/api/v1/agents/{aid}/target-state", "Bearer brokkr_BRbench0_{long}"}}')
open(f"{work}/seed.sql", "w").write("\n".join(sql))
open(f"{work}/agents.tsv", "w").write("\n".join(l.strip("{}").replace('"', "").replace(", ", "\t") for l in lines) + "\n")
PY
# wrk scripts: every run, /healthz included, sends requests formatted once in init() and cycled by
# request(), with no response() callback (which makes wrk parse every response's headers and body into
# Lua), so the load generator does the same small work per request in each run. Statuses are checked
# with curl before the runs and by wrk's error counts after them.
wrk_script() {  # NAME QUERY WITH_ETAG: one request per agent (WITH_ETAG adds its current If-None-Match)
  python3 - "$work" "$1" "$2" "$3" <<'PY'
import os, sys
work, name, query, with_etag = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
versions = {}
if os.path.exists(f"{work}/versions.tsv"):
    versions = dict(line.split("|") for line in open(f"{work}/versions.tsv").read().split())
entries = []
for line in open(f"{work}/agents.tsv"):
    path, auth = line.rstrip("\n").split("\t")
    headers = f'["Authorization"] = "{auth}"'
    if with_etag:
        headers += f', ["If-None-Match"] = \'"{versions[path.split("/")[4]]}-incremental"\''
    entries.append(f'wrk.format("GET", "{path}{query}", {{{headers}}})')
if name == "healthz":
    entries = ['wrk.format("GET", "/healthz")']
open(f"{work}/{name}.lua", "w").write(
    "local requests = {}\nlocal i = 0\n"
    "init = function(args)\n  requests = {" + ",\n".join(entries) + "}\nend\n"
    "request = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n")
PY
}
wrk_script agents "" 0
wrk_script healthz "" 0
psql -h 127.0.0.1 -p "$pgport" -U postgres -d brokkr_bench -q -f "$work/seed.sql" >/dev/null
psql -h 127.0.0.1 -p "$pgport" -U postgres -d brokkr_bench -qc "ANALYZE" >/dev/null

"$bin" serve --host 127.0.0.1 --port "$port" > "$work/api.log" 2>&1 & api=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "brokkr-api did not start:" >&2; cat "$work/api.log" >&2; exit 1; }
# Warm up (fills the key cache and the pool).
wrk -t2 -c"$conns" -d3s -s "$work/agents.lua" "http://127.0.0.1:$port" >/dev/null
# Each agent's current ETag, for the conditional polls (the version the triggers keep, "<v>-incremental").
psql -h 127.0.0.1 -p "$pgport" -U postgres -d brokkr_bench -Atc \
  "SELECT a.id, COALESCE(v.version, 0) FROM agents a LEFT JOIN agent_target_state_versions v ON v.agent_id = a.id" > "$work/versions.tsv"
wrk_script unchanged "" 1
wrk_script longpoll "?wait=60" 1
# What each run must be answered with, checked on a sample of agents.
expect_status() {  # STATUS QUERY WITH_ETAG
  head -20 "$work/agents.tsv" | while IFS=$'\t' read -r path auth; do
    etag=$(grep "^$(echo "$path" | cut -d/ -f5)|" "$work/versions.tsv" | cut -d'|' -f2)
    got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $auth" ${3:+-H "If-None-Match: \"$etag-incremental\""} \
      "http://127.0.0.1:$port$path$2")
    [ "$got" = "$1" ] || { echo "expected $1 from $path$2, got $got" >&2; exit 1; }
  done
}
expect_status 200 "" ""
expect_status 304 "" 1
run_wrk() {  # NAME: requests/s, after checking that wrk saw no error
  wrk -t2 -c"$conns" -d"${duration}s" -s "$work/$1.lua" "http://127.0.0.1:$port" > "$work/$1.txt"
  if grep -qE "Non-2xx|Socket errors" "$work/$1.txt"; then echo "errors in the $1 run:" >&2; cat "$work/$1.txt" >&2; exit 1; fi
  grep Latency "$work/$1.txt" | sed "s/^ */$1: /" >&2
  awk '/Requests\/sec/ {print $2}' "$work/$1.txt"
}
ts=$(run_wrk agents)
nm=$(run_wrk unchanged)
hz=$(run_wrk healthz)

# Idle cost: 1,000 connections each holding a long poll that nothing wakes; the broker's committed
# transactions are counted from 15 s to 35 s (the first request of each connection reads its version
# at the start, and PostgreSQL's per-backend statistics reach pg_stat_database up to 10 s late).
xacts() { psql -h 127.0.0.1 -p "$pgport" -U postgres -Atc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'brokkr_bench'"; }
wrk -t2 -c1000 -d40s --timeout 70s -s "$work/longpoll.lua" "http://127.0.0.1:$port" > "$work/lp.txt" 2>&1 & longpoll=$!
sleep 15; x0=$(xacts); sleep 20; x1=$(xacts)
wait "$longpoll" 2>/dev/null || true
lp_done=$(awk '/requests in/ {print $1}' "$work/lp.txt")

echo "build: $config, wrk -t2 -c$conns -d${duration}s, 1000 agents x 5 stacks x 3 objects"
echo "target-state full polls/s (200):      $ts"
echo "target-state unchanged polls/s (304): $nm"
echo "healthz requests/s:                   $hz"
python3 -c "print(f'ratio full / healthz: {float(\"$ts\") / float(\"$hz\"):.3f} (goal >= 0.3)')"
python3 -c "print(f'ratio unchanged / healthz: {float(\"$nm\") / float(\"$hz\"):.3f} (goal >= 0.8)')"
python3 -c "print(f'database transactions/s while 1000 agents long-poll and nothing changes: {($x1 - $x0) / 20:.1f} (goal ~0)')"
echo "long polls answered in the 40 s run (none should be: nothing changed, wait=60): ${lp_done:-?}"
grep -E "Socket errors|Non-2xx" "$work/lp.txt" | sed 's/^/long poll: /' || true

# Propagation: all 1,000 agents long-poll again; 20 new deployment objects, one at a time, for the
# stack the first 100 target; the time until the last of the 100 has the new document.
. "$work/propagation.env"
python3 bench/propagation.py "$port" "$work/agents.tsv" "$generator_auth" "$propagated_stack" 100 20
