#!/usr/bin/env bash
# Benchmark (not a test): webhook delivery against PgQueuer (PyPI) at equal work, on one PostgreSQL in
# one run, with 1, 2 and 4 processes on each side.
#
# 1. The sink: brokkr-bench-sink (NIO, bench/Sink) answers every POST 200. Its capacity is measured
#    with wrk first, with deliveries' bodies and headers, and printed against the fastest delivery rate
#    (it must sustain at least 5x, or the sink would be what is measured).
# 2. Equal work: N deliveries through brokkr-webhooks, and N PgQueuer jobs whose entrypoint does what a
#    delivery does: the same event body POSTed to the same sink with the same headers and both
#    HMAC-SHA256 signatures, over a keep-alive HTTP client (aiohttp, as many connections as the batch).
#    Brokkr also decrypts each subscription's URL and secret and records each outcome.
# 3. The queue alone: N no-op jobs through the project's WorkQueue (brokkr-bench-queue: the same claim
#    and completion as the deliverer) against PgQueuer's no-op consumer.
# Rates are jobs / (last completion - first claim), so process start-up is not timed on either side.
# PostgreSQL round trips per job are the statements pg_stat_statements counts for the run (the
# benchmark's own progress queries left out), divided by N. With perf installed, one brokkr-webhooks
# process is profiled in an extra, untimed run and its top functions are printed.
#
#   bench/webhook-delivery.sh            N=20000, release build
#   N=5000 BUILD=debug bench/webhook-delivery.sh      (SKIP_BUILD=1 uses the binaries already built;
#   PERF_DATA=FILE keeps the deliverer's profile)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
BUILD=${BUILD:-release}
BATCH=${BATCH:-100}
pg_port=${BENCH_PG_PORT:-54341}
sink_port=${BENCH_SINK_PORT:-18181}
api_port=${BENCH_API_PORT:-18182}

if [ -z "${SKIP_BUILD:-}" ]; then
  for product in brokkr-webhooks brokkr-api brokkr-bench-sink brokkr-bench-queue; do swift build -c "$BUILD" --product "$product" >&2; done
fi
bin=.build/$BUILD
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }

venv=.local/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pgqueuer, asyncpg, aiohttp' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pgqueuer asyncpg aiohttp >&2
fi
py=$venv/bin/python

data=$(mktemp -d /tmp/brokkr-bench-pg.XXXXXX); work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}" $(jobs -p); do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/postgres.sh stop "$data"
  rm -rf "$data" "$work"
}
trap cleanup EXIT
scripts/postgres.sh start "$data" "$pg_port"
# pg_stat_statements counts the statements (round trips) of each run: it must be preloaded.
psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
scripts/postgres.sh stop "$data"; scripts/postgres.sh start "$data" "$pg_port"
dsn="postgres://postgres@127.0.0.1:$pg_port/brokkr_bench"
psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE brokkr_bench"
sql() { psql "$dsn" -qtAc "$1"; }
sql "CREATE EXTENSION pg_stat_statements"
statements() {  # statements run in brokkr_bench since the last reset, less this script's own
  sql "SELECT COALESCE(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = 'brokkr_bench' AND s.query NOT ILIKE '%pg_stat_statements%' AND s.query NOT ILIKE '%bench_progress%'"
}
reset_statements() { sql "SELECT pg_stat_statements_reset()" >/dev/null; }

export BROKKR__DATABASE__URL=$dsn
export BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export BROKKR__LOG__LEVEL=warn
# A known admin key for this run: the PAK's long token is hashed into broker.pak_hash.
long=benchbenchbenchbenchbench
export BROKKR__BROKER__PAK_HASH=$(printf %s "$long" | sha256sum | cut -d' ' -f1)
"$bin/brokkr-api" migrate >&2

"$bin/brokkr-bench-sink" "$sink_port" >&2 & pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$sink_port/count" >/dev/null && break; sleep 0.1; done

# One subscription, created through the API (its URL and secret are encrypted with the run's key).
"$bin/brokkr-api" serve --host 127.0.0.1 --port "$api_port" >&2 & api=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null && break; sleep 0.1; done
curl -fs -XPOST "http://127.0.0.1:$api_port/api/v1/webhooks" -H "Authorization: Bearer brokkr_BRbench00_$long" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"url\":\"http://127.0.0.1:$sink_port/hook\",\"event_types\":[\"bench.noop\"]}" > "$work/subscription.json"
kill "$api"; wait "$api" 2>/dev/null || true
subscription=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/subscription.json")
secret=$(python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); print(d.get("signing_secret") or d.get("secret") or "whsec_" + "0" * 64)' "$work/subscription.json")

# 1. The sink's capacity: POSTs shaped like deliveries (body and headers), keep-alive, from wrk.
python3 - "$work" <<'PY'
import json, sys, time, uuid
body = json.dumps({"id": str(uuid.uuid4()), "event_type": "bench.noop", "timestamp": "2026-11-29T00:00:00+00:00", "data": {}})
headers = {"Content-Type": "application/json", "X-Brokkr-Event-Type": "bench.noop", "X-Brokkr-Delivery-Id": str(uuid.uuid4()),
           "X-Brokkr-Event-Id": str(uuid.uuid4()), "X-Brokkr-Timestamp": "1796000000", "X-Brokkr-Signature": "sha256=" + "a" * 64,
           "X-Brokkr-Signature-256": "t=1796000000,v1=" + "b" * 64}
lua = 'wrk.method = "POST"\nwrk.body = ' + json.dumps(body) + "\n" + "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
open(f"{sys.argv[1]}/post.lua", "w").write(lua)
PY
wrk -t2 -c64 -d5s -s "$work/post.lua" "http://127.0.0.1:$sink_port/hook" > "$work/sink.txt"
sink_rate=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/sink.txt")
echo "sink: $sink_rate POSTs/s (wrk -t2 -c64 -d5s)" >&2

now() { date +%s.%N; }
rate() { python3 -c "import sys; n, a, b = map(float, sys.argv[1:]); print(f'{n / max(b - a, 1e-6):.0f}')" "$@"; }
per_job() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$@"; }
# Drains a PgQueuer or brokkr-bench-queue run: PROCS consumers of COMMAND; prints "rate round-trips".
drain() {  # PROCS COMMAND...
  local procs=$1; shift
  local outs=() consumers=()
  reset_statements
  for i in $(seq "$procs"); do "$@" > "$work/consumer-$i.out" & consumers+=($!); outs+=("$work/consumer-$i.out"); done
  wait "${consumers[@]}"
  local rt; rt=$(statements)
  python3 - "$N" "$rt" "${outs[@]}" <<'PY'
import sys
n, rt = int(sys.argv[1]), int(sys.argv[2])
rows = [list(map(float, open(f).read().split())) for f in sys.argv[3:]]
handled = sum(int(r[0]) for r in rows)
if handled != n: print(f"warning: {handled} of {n} jobs handled", file=sys.stderr)
start = min(r[1] for r in rows if r[0] > 0); end = max(r[2] for r in rows)
print(f"{handled / max(end - start, 1e-6):.0f} {rt / n:.3f}")
PY
}

declare -A brokkr brokkr_rt pgq pgq_rt qb qb_rt qp qp_rt
perf_top=""

# 2a. Brokkr: N deliveries through brokkr-webhooks. PROFILE=1: perf records the (single) process
# instead, in a run of its own that is not timed (the profiler slows what it watches).
brokkr_run() {  # PROCS [PROFILE]: sets brokkr[PROCS] and brokkr_rt[PROCS], or perf_top
  local procs=$1 profile=${2:-}
  sql "DELETE FROM webhook_deliveries"
  # N deliveries, not yet due, so that enqueueing is not part of the timing.
  sql "INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, next_retry_at)
       SELECT '$subscription', 'bench.noop', e.id,
              json_build_object('id', e.id, 'event_type', 'bench.noop', 'timestamp', now(), 'data', '{}'::json)::text,
              now() + interval '1 day'
       FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $N)) AS e"
  sql "VACUUM ANALYZE webhook_deliveries"
  local before; before=$(curl -fs "http://127.0.0.1:$sink_port/count")
  local workers=()
  for _ in $(seq "$procs"); do
    BROKKR__WORKERS__HEALTH_PORT=0 BROKKR__BROKER__WEBHOOK_DELIVERY_BATCH_SIZE=$BATCH "$bin/brokkr-webhooks" & workers+=($!)
  done
  sleep 3  # started, migrated, listening
  reset_statements
  local perf_pid=""
  if [ -n "$profile" ]; then perf record -F 999 -g -p "${workers[0]}" -o "$work/perf.data" >/dev/null 2>&1 & perf_pid=$!; fi
  sql "UPDATE webhook_deliveries SET next_retry_at = now(); SELECT pg_notify('brokkr_webhook_deliveries', '')" >/dev/null
  local deadline=$((SECONDS + 600))
  while [ "$(sql "SELECT count(*) /* bench_progress */ FROM webhook_deliveries WHERE status = 'success'")" -lt "$N" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "brokkr-webhooks x$procs did not deliver all $N in 600 s" >&2; exit 1; }
    sleep 0.05
  done
  local rt; rt=$(statements)
  kill -TERM "${workers[@]}" 2>/dev/null || true; wait "${workers[@]}" 2>/dev/null || true
  local arrived=$(( $(curl -fs "http://127.0.0.1:$sink_port/count") - before ))
  [ "$arrived" -ge "$N" ] || echo "warning: the sink received $arrived of $N deliveries" >&2
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true
    [ -z "${PERF_DATA:-}" ] || cp "$work/perf.data" "$PERF_DATA"  # for a closer look: perf report -i "$PERF_DATA"
    perf_top=$(perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
      | grep -E '^ +[0-9.]+%' | head -15 | cut -c1-160 || true)
    return
  fi
  local span; span=$(sql "SELECT extract(epoch FROM min(last_attempt_at)), extract(epoch FROM max(completed_at)) /* bench_progress */ FROM webhook_deliveries" | tr '|' ' ')
  brokkr[$procs]=$(rate "$N" $span)
  brokkr_rt[$procs]=$(per_job "$rt" "$N")
  echo "brokkr-webhooks x$procs: ${brokkr[$procs]} deliveries/s, ${brokkr_rt[$procs]} statements per delivery" >&2
}
for procs in 1 2 4; do brokkr_run "$procs"; done

# 2b. PgQueuer doing the same work per job.
"$py" bench/pgqueuer_bench.py install "$dsn"
for procs in 1 2 4; do
  "$py" bench/pgqueuer_bench.py enqueue "$dsn" "$N"
  read -r pgq[$procs] pgq_rt[$procs] < <(drain "$procs" "$py" bench/pgqueuer_bench.py consume "$dsn" "$BATCH" deliver \
    "http://127.0.0.1:$sink_port/hook" "$secret")
  echo "pgqueuer (signed POSTs) x$procs: ${pgq[$procs]} jobs/s, ${pgq_rt[$procs]} statements per job" >&2
done

# 3. The queue alone: no-op jobs.
"$bin/brokkr-bench-queue" install "$dsn"
for procs in 1 2 4; do
  "$bin/brokkr-bench-queue" enqueue "$dsn" "$N"
  read -r qb[$procs] qb_rt[$procs] < <(drain "$procs" "$bin/brokkr-bench-queue" consume "$dsn" "$BATCH")
  echo "WorkQueue no-op x$procs: ${qb[$procs]} jobs/s, ${qb_rt[$procs]} statements per job" >&2
  "$py" bench/pgqueuer_bench.py enqueue "$dsn" "$N"
  read -r qp[$procs] qp_rt[$procs] < <(drain "$procs" "$py" bench/pgqueuer_bench.py consume "$dsn" "$BATCH" noop)
  echo "pgqueuer no-op x$procs: ${qp[$procs]} jobs/s, ${qp_rt[$procs]} statements per job" >&2
done

if command -v perf >/dev/null; then brokkr_run 1 profile; fi

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$@"; }
fastest=$(printf '%s\n' "${brokkr[@]}" "${pgq[@]}" | sort -n | tail -1)
echo
echo "N=$N, batch $BATCH, $BUILD build; rates are jobs/s; rt = PostgreSQL statements per job"
echo "sink capacity: $sink_rate POSTs/s = $(ratio "$sink_rate" "$fastest")x the fastest delivery rate (needs >= 5)"
echo
table() {  # TITLE OURS_NAME GOAL OURS OURS_RT THEIRS THEIRS_RT (the last four: names of the arrays)
  local -n ours=$4 ours_rt=$5 theirs=$6 theirs_rt=$7
  echo "$1:"
  printf '%-10s %12s %6s %14s %6s %8s\n' processes "$2" rt pgqueuer rt ratio
  for procs in 1 2 4; do
    printf '%-10s %12s %6s %14s %6s %8s\n' "$procs" "${ours[$procs]}" "${ours_rt[$procs]}" "${theirs[$procs]}" "${theirs_rt[$procs]}" \
      "$(ratio "${ours[$procs]}" "${theirs[$procs]}")"
  done
  echo "goal: ratio >= $3"
  echo
}
table "equal work (a signed POST per job to the sink)" brokkr 1.5 brokkr brokkr_rt pgq pgq_rt
table "queue alone (no-op jobs)" workqueue 1.0 qb qb_rt qp qp_rt
if [ -n "$perf_top" ]; then
  echo "where one brokkr-webhooks process spends its time (perf, self time, top 15):"
  echo "$perf_top"
fi
