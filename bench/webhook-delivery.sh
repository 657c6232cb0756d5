#!/usr/bin/env bash
# Benchmark (not a test): N no-op webhook deliveries to a local HTTP sink (bench/sink.py) drained by
# 1, 2 and 4 brokkr-webhooks processes, then the same number of no-op jobs through PgQueuer (PyPI)
# drained by 1, 2 and 4 consumer processes, on the same PostgreSQL in the same run. Prints jobs/s
# for each and the ratio Brokkr / PgQueuer at each process count.
#
# The two sides are not doing the same work: every Brokkr job is a signed HTTP POST to the sink
# (decrypting the subscription's URL and secret, one request per delivery), while a PgQueuer job is
# an empty Python function. The comparison is of the queues, with Brokkr carrying its HTTP work.
#
#   bench/webhook-delivery.sh            N=20000, release build
#   N=5000 BUILD=debug bench/webhook-delivery.sh      (SKIP_BUILD=1 uses the binaries already built)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
BUILD=${BUILD:-release}
BATCH=${BATCH:-100}
pg_port=${BENCH_PG_PORT:-54341}
sink_port=${BENCH_SINK_PORT:-18181}
api_port=${BENCH_API_PORT:-18182}

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c "$BUILD" --product brokkr-webhooks >&2
  swift build -c "$BUILD" --product brokkr-api >&2
fi
bin=.build/$BUILD

venv=.local/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pgqueuer asyncpg >&2
fi

data=$(mktemp -d /tmp/brokkr-bench-pg.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/postgres.sh stop "$data"
  rm -rf "$data"
}
trap cleanup EXIT
scripts/postgres.sh start "$data" "$pg_port"
dsn="postgres://postgres@127.0.0.1:$pg_port/brokkr_bench"
psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE brokkr_bench"
sql() { psql "$dsn" -qtAc "$1"; }

export BROKKR__DATABASE__URL=$dsn
export BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export BROKKR__LOG__LEVEL=warn
# A known admin key for this run: the PAK's long token is hashed into broker.pak_hash.
long=benchbenchbenchbenchbench
export BROKKR__BROKER__PAK_HASH=$(printf %s "$long" | sha256sum | cut -d' ' -f1)
"$bin/brokkr-api" migrate >&2

python3 bench/sink.py "$sink_port" & pids+=($!)

# One subscription, created through the API (its URL and secret are encrypted with the run's key).
"$bin/brokkr-api" serve --host 127.0.0.1 --port "$api_port" >&2 & api=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null && break; sleep 0.1; done
subscription=$(curl -fs -XPOST "http://127.0.0.1:$api_port/api/v1/webhooks" -H "Authorization: Bearer brokkr_BRbench00_$long" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"url\":\"http://127.0.0.1:$sink_port/hook\",\"event_types\":[\"bench.noop\"]}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
kill "$api"; wait "$api" 2>/dev/null || true

now() { date +%s.%N; }
declare -A brokkr pgq

for procs in 1 2 4; do
  sql "DELETE FROM webhook_deliveries"
  # N deliveries, not yet due, so that enqueueing is not part of the timing.
  sql "INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, next_retry_at)
       SELECT '$subscription', 'bench.noop', e.id,
              json_build_object('id', e.id, 'event_type', 'bench.noop', 'timestamp', now(), 'data', '{}'::json)::text,
              now() + interval '1 day'
       FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $N)) AS e"
  workers=()
  for _ in $(seq "$procs"); do
    BROKKR__WORKERS__HEALTH_PORT=0 BROKKR__BROKER__WEBHOOK_DELIVERY_BATCH_SIZE=$BATCH "$bin/brokkr-webhooks" & workers+=($!)
  done
  sleep 3  # started, migrated, listening
  t0=$(now)
  sql "UPDATE webhook_deliveries SET next_retry_at = now(); SELECT pg_notify('brokkr_webhook_deliveries', '')" >/dev/null
  while [ "$(sql "SELECT count(*) FROM webhook_deliveries WHERE status = 'success'")" -lt "$N" ]; do sleep 0.05; done
  t1=$(now)
  kill -TERM "${workers[@]}"; wait "${workers[@]}" 2>/dev/null || true
  brokkr[$procs]=$(python3 -c "print(f'{$N / ($t1 - $t0):.0f}')")
  echo "brokkr-webhooks x$procs: $N deliveries in $(python3 -c "print(f'{$t1 - $t0:.2f}')") s = ${brokkr[$procs]} jobs/s" >&2
done

py=$venv/bin/python
"$py" bench/pgqueuer_noop.py install "$dsn"
for procs in 1 2 4; do
  "$py" bench/pgqueuer_noop.py enqueue "$dsn" "$N"
  consumers=()
  t0=$(now)
  for _ in $(seq "$procs"); do "$py" bench/pgqueuer_noop.py consume "$dsn" "$BATCH" >/dev/null & consumers+=($!); done
  wait "${consumers[@]}"
  t1=$(now)
  # Python start-up (about the same for every consumer) is subtracted: measured with an empty queue.
  s0=$(now); "$py" bench/pgqueuer_noop.py consume "$dsn" "$BATCH" >/dev/null; s1=$(now)
  left=$(sql "SELECT count(*) FROM pgqueuer")
  [ "$left" = 0 ] || echo "warning: $left PgQueuer jobs left" >&2
  pgq[$procs]=$(python3 -c "print(f'{$N / max(($t1 - $t0) - ($s1 - $s0), 1e-3):.0f}')")
  echo "pgqueuer x$procs: $N jobs in $(python3 -c "print(f'{($t1 - $t0) - ($s1 - $s0):.2f}')") s = ${pgq[$procs]} jobs/s" >&2
done

echo
printf '%-10s %18s %18s %8s\n' processes "brokkr jobs/s" "pgqueuer jobs/s" ratio
for procs in 1 2 4; do
  printf '%-10s %18s %18s %8s\n' "$procs" "${brokkr[$procs]}" "${pgq[$procs]}" \
    "$(python3 -c "print(f'{${brokkr[$procs]} / ${pgq[$procs]}:.2f}')")"
done
echo "N=$N, batch $BATCH, $BUILD build, Brokkr jobs = signed HTTP POSTs to a local sink, PgQueuer jobs = no-op functions"
