"""Propagation of a change to long-polling agents, for bench/target-state.sh.

Every agent holds a long poll open (GET target-state?wait=60 with If-None-Match: its ETag), re-armed
as soon as it is answered, as brokkr-agent does. The driver then posts CHANGES new deployment objects,
one at a time, to a stack that TARGETED of the agents target, and measures for each change the time
from just before the POST until the last of those agents has received the new document (p50 and p99
over the changes). Agents that do not target the stack must not be answered.

usage: propagation.py PORT AGENTS_TSV GENERATOR_AUTH STACK_ID TARGETED_COUNT CHANGES
  AGENTS_TSV: "path<TAB>authorization" per agent; the first TARGETED_COUNT lines target STACK_ID.
Plain asyncio streams, one HTTP/1.1 keep-alive connection per agent: 100 answers per change are
nothing next to what the broker does, so the client is not what is measured.
"""
import asyncio
import json
import statistics
import sys
import time


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def request(reader, writer, method, path, authorization, extra="", body=b""):
    writer.write((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {authorization}\r\n{extra}"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    await writer.drain()
    return await read_response(reader)


class Agent:
    def __init__(self, port, path, authorization, targeted):
        self.port, self.path, self.authorization, self.targeted = port, path, authorization, targeted
        self.etag = None
        self.answers = []  # (arrival time, document) of every 200 after the first

    async def run(self, ready):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 22)
        status, headers, _ = await request(reader, writer, "GET", self.path, self.authorization)
        assert status == 200, status
        self.etag = headers["etag"]
        ready.release()
        while True:
            status, headers, body = await request(reader, writer, "GET", self.path + "?wait=60", self.authorization,
                                                  extra=f"If-None-Match: {self.etag}\r\n")
            if status == 200:
                self.answers.append((time.perf_counter(), body))
                self.etag = headers["etag"]
            elif status != 304:
                raise RuntimeError(f"unexpected status {status}")


async def main():
    port, agents_tsv, generator_auth, stack, targeted, changes = sys.argv[1:7]
    port, targeted, changes = int(port), int(targeted), int(changes)
    rows = [line.rstrip("\n").split("\t") for line in open(agents_tsv) if line.strip()]
    agents = [Agent(port, path, auth, i < targeted) for i, (path, auth) in enumerate(rows)]
    ready = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(agent.run(ready)) for agent in agents]
    for _ in agents:
        await ready.acquire()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.sleep(2)  # every agent has re-armed its long poll
    times = []
    for n in range(changes):
        for agent in agents:
            agent.answers.clear()
        yaml = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: propagated\ndata:\n  change: '{n}'\n"
        body = json.dumps({"yaml_content": yaml}).encode()
        started = time.perf_counter()
        status, _, answer = await request(reader, writer, "POST", f"/api/v1/stacks/{stack}/deployment-objects", generator_auth,
                                          extra="Content-Type: application/json\r\n", body=body)
        assert status == 201, (status, answer)
        deadline = started + 10
        while time.perf_counter() < deadline and not all(a.answers for a in agents if a.targeted):
            await asyncio.sleep(0.001)
        missing = sum(1 for a in agents if a.targeted and not a.answers)
        if missing:
            raise RuntimeError(f"change {n}: {missing} targeted agents had no answer after 10 s")
        def arrival(agent):  # the first answer that carries this change
            return next((t for t, doc in agent.answers if f"change: '{n}'".encode() in doc), None)
        stray = sum(1 for a in agents if not a.targeted and a.answers)
        if stray:
            raise RuntimeError(f"change {n}: {stray} agents that do not target the stack were answered")
        arrivals = [arrival(a) for a in agents if a.targeted]
        if None in arrivals:
            raise RuntimeError(f"change {n}: {arrivals.count(None)} agents got no document with the change")
        times.append(max(arrivals) - started)
        await asyncio.sleep(0.5)  # let every answered agent re-arm before the next change
    for task in tasks:
        task.cancel()
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    print(f"propagation to all {targeted} of {len(agents)} long-polling agents, {changes} changes: "
          f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms (goal p99 < 1 s)")


asyncio.run(main())
