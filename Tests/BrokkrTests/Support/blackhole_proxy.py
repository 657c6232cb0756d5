"""A TCP proxy to PostgreSQL for tests of an unreachable database: relays bytes both ways until a file
named `hole` appears in STATE_DIR, then turns into a black hole (connections stay open, nothing gets
through, new connections are accepted and never answered), as a network partition looks to the client.

It talks to the test through files in STATE_DIR, not pipes: writes `port` (its listening port) when
ready and `holed` once holed; it exits when `stop` appears or its parent process is gone, so it never
outlives the test process. (Pipes are not used: a test process that runs many child processes can have
a pipe's descriptor closed under it by a stray close elsewhere, which made this proxy see end-of-input
and exit mid-test. Signals are not used either: a test process may hand its children blocked or
ignored signals.)

usage: blackhole_proxy.py LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT STATE_DIR
"""
import os
import socket
import sys
import threading
import time

holed = threading.Event()


def control(state_dir, parent):
    while True:
        if not holed.is_set() and os.path.exists(os.path.join(state_dir, "hole")):
            holed.set()
            write(state_dir, "holed", "holed")  # the test waits for this before probing
        if os.getppid() != parent or os.path.exists(os.path.join(state_dir, "stop")):
            os._exit(0)
        time.sleep(0.02)


def write(state_dir, name, text):
    temporary = os.path.join(state_dir, name + ".tmp")
    with open(temporary, "w") as f:
        f.write(text)
    os.rename(temporary, os.path.join(state_dir, name))


def relay(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if not holed.is_set():
                target.sendall(data)
    except OSError:
        pass


def serve(client, upstream_host, upstream_port):
    if holed.is_set():
        return  # accepted, never answered; kept open by the reference in `held`
    try:
        upstream = socket.create_connection((upstream_host, upstream_port))
    except OSError:
        client.close()  # the client sees a closed connection; the proxy keeps serving
        return
    threading.Thread(target=relay, args=(client, upstream), daemon=True).start()
    threading.Thread(target=relay, args=(upstream, client), daemon=True).start()


def main():
    port, upstream_host, upstream_port, state_dir = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    parent = os.getppid()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    threading.Thread(target=control, args=(state_dir, parent), daemon=True).start()
    write(state_dir, "port", str(listener.getsockname()[1]))
    held = []
    while True:
        client, _ = listener.accept()
        held.append(client)
        serve(client, upstream_host, upstream_port)


if __name__ == "__main__":
    main()
