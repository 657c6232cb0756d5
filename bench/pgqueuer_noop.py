"""PgQueuer side of bench/webhook-delivery.sh: N no-op jobs through PgQueuer on the same Postgres.

  pgqueuer_noop.py install DSN            installs PgQueuer's schema (idempotent)
  pgqueuer_noop.py enqueue DSN N          clears the queue and enqueues N jobs for entrypoint "noop"
  pgqueuer_noop.py consume DSN BATCH      drains the queue with a no-op entrypoint; prints jobs handled
"""
import asyncio
import sys
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


async def enqueue(dsn: str, n: int) -> None:
    connection = await asyncpg.connect(dsn)
    queries = Queries(AsyncpgDriver(connection))
    await queries.clear_queue()
    for start in range(0, n, 5000):
        k = min(5000, n - start)
        await queries.enqueue(["noop"] * k, [None] * k, [0] * k)
    await connection.close()


async def consume(dsn: str, batch: int) -> None:
    connection = await asyncpg.connect(dsn)
    manager = QueueManager(Queries(AsyncpgDriver(connection)))
    handled = 0

    @manager.entrypoint("noop")
    async def noop(job) -> None:  # the job does nothing: this measures the queue itself
        nonlocal handled
        handled += 1

    await manager.run(mode=QueueExecutionMode.drain, batch_size=batch, dequeue_timeout=timedelta(milliseconds=200))
    await connection.close()
    print(handled)


if __name__ == "__main__":
    command, dsn = sys.argv[1], sys.argv[2]
    if command == "install":
        asyncio.run(install(dsn))
    elif command == "enqueue":
        asyncio.run(enqueue(dsn, int(sys.argv[3])))
    else:
        asyncio.run(consume(dsn, int(sys.argv[3])))
