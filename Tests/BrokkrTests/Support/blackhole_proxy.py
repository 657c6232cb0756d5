"""A TCP proxy to PostgreSQL for tests of an unreachable database: relays bytes both ways until a line
arrives on its standard input, then turns into a black hole (connections stay open, nothing gets
through, new connections are accepted and never answered), as a network partition looks to the
client. It exits when its standard input closes, so it never outlives the test that started it.
(Signals are not used: a test process may hand its children blocked or ignored signals.)

usage: blackhole_proxy.py LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT  (prints "listening on PORT" when ready, and
"holed" once the first control line has turned it into a black hole)
"""
import os
import socket
import sys
import threading

holed = threading.Event()


def control():
    for _ in sys.stdin:
        holed.set()
        print("holed", flush=True)  # the test waits for this before probing
    os._exit(0)


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
    port, upstream_host, upstream_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    print(f"listening on {listener.getsockname()[1]}", flush=True)
    threading.Thread(target=control, daemon=True).start()
    held = []
    while True:
        client, _ = listener.accept()
        held.append(client)
        serve(client, upstream_host, upstream_port)


if __name__ == "__main__":
    main()
