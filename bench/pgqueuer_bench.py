"""PgQueuer side of bench/webhook-delivery.sh, on the same PostgreSQL as Brokkr.

  pgqueuer_bench.py install DSN                     installs PgQueuer's schema (idempotent)
  pgqueuer_bench.py enqueue DSN N                   clears the queue; N jobs whose payload is a webhook event
  pgqueuer_bench.py consume DSN BATCH noop          drains the queue with jobs that do nothing (the queue alone)
  pgqueuer_bench.py consume DSN BATCH deliver URL SECRET
                                                    drains it doing what a Brokkr delivery does: the job's event
                                                    POSTed to URL with the same headers and HMAC-SHA256
                                                    signatures, over one keep-alive HTTP client; a non-2xx
                                                    answer fails the job
consume prints "<jobs> <first start> <last end>" (unix seconds), so start-up is not part of the timing.
"""
import asyncio
import hashlib
import hmac
import json
import sys
import time
import uuid
from datetime import timedelta

import asyncpg
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.types import QueueExecutionMode


async def install(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    queries = Queries(AsyncpgDriver(connection))
    if not await queries.schema_is_installed():
        await queries.install()
    await connection.close()


def event() -> bytes:
    # The shape of Brokkr's stored delivery payload (see webhook-delivery.sh).
    return json.dumps({"id": str(uuid.uuid4()), "event_type": "bench.noop", "timestamp": time.time(), "data": {}}).encode()


async def enqueue(dsn: str, n: int) -> None:
    connection = await asyncpg.connect(dsn)
    queries = Queries(AsyncpgDriver(connection))
    await queries.clear_queue()
    for start in range(0, n, 5000):
        k = min(5000, n - start)
        await queries.enqueue(["job"] * k, [event() for _ in range(k)], [0] * k)
    await connection.close()


def signature_headers(body: bytes, secret: bytes) -> dict:
    # WebhookSignature: X-Brokkr-Signature over the body, X-Brokkr-Signature-256 over "<t>." + body.
    t = str(int(time.time()))
    legacy = hmac.new(secret, body, hashlib.sha256).hexdigest()
    timestamped = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Brokkr-Timestamp": t, "X-Brokkr-Signature": f"sha256={legacy}", "X-Brokkr-Signature-256": f"t={t},v1={timestamped}"}


async def consume(dsn: str, batch: int, mode: str, url: str = "", secret: str = "") -> None:
    connection = await asyncpg.connect(dsn)
    manager = QueueManager(Queries(AsyncpgDriver(connection)))
    handled = 0
    first = last = None
    session = timeout = None
    if mode == "deliver":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=batch, keepalive_timeout=60))
        timeout = aiohttp.ClientTimeout(total=10)
    key = secret.encode()

    @manager.entrypoint("job")
    async def job(job) -> None:
        nonlocal handled, first, last
        if first is None:
            first = time.time()
        if session is not None:
            body = job.payload
            event_id = json.loads(body)["id"]
            headers = {
                "Content-Type": "application/json",
                "X-Brokkr-Event-Type": "bench.noop",
                "X-Brokkr-Delivery-Id": str(job.id),
                "X-Brokkr-Event-Id": event_id,
                **signature_headers(body, key),
            }
            async with session.post(url, data=body, headers=headers, timeout=timeout) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    raise RuntimeError(f"HTTP {response.status}")
        handled += 1
        last = time.time()

    await manager.run(mode=QueueExecutionMode.drain, batch_size=batch, dequeue_timeout=timedelta(milliseconds=200))
    if session is not None:
        await session.close()
    await connection.close()
    print(handled, first or 0, last or 0)


if __name__ == "__main__":
    command, dsn = sys.argv[1], sys.argv[2]
    if command == "install":
        asyncio.run(install(dsn))
    elif command == "enqueue":
        asyncio.run(enqueue(dsn, int(sys.argv[3])))
    else:
        asyncio.run(consume(dsn, int(sys.argv[3]), *sys.argv[4:]))
