#!/usr/bin/env python3
"""The cheapest relay a user-space process can be: bytes copied between two TCP sockets with 1 MiB
recv_into/sendall, no HTTP, no rules. throughput.sh reads the same blob through it beside the proxy,
so the proxy's ratio can be told apart from what any third process costs on the machine.

Usage: floor_relay.py LISTEN_PORT UPSTREAM_PORT   (both on 127.0.0.1)
"""
import socket
import sys
import threading

BUFFER = 1 << 20


def pump(source, sink):
    buffer = bytearray(BUFFER)
    view = memoryview(buffer)
    try:
        while True:
            count = source.recv_into(buffer)
            if count == 0:
                break
            sink.sendall(view[:count])
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen_port))
    server.listen(16)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


if __name__ == "__main__":
    main()
