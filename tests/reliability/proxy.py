"""A TCP proxy a test can cut and restore, to take a dependency away from a live server.

The machine's own PostgreSQL and Redis are shared and stay up; the server under test reaches
them only through this proxy, so cutting it is the server's view of an outage:

- ``cut()``: every open connection is reset and new ones are refused (the port is closed);
- ``blackhole()``: connections are accepted and then nothing ever comes back (a hung peer);
- ``restore()``: traffic flows again, on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode = "up"
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listen()

    # --- control ----------------------------------------------------------------------------

    def cut(self) -> None:
        self.mode = "down"
        self._close_listener()
        self._drop_connections()

    def blackhole(self) -> None:
        self._drop_connections()
        self.mode = "blackhole"
        if self._listener is None:
            self._listen()

    def restore(self) -> None:
        self._drop_connections()
        self.mode = "up"
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.mode = "down"
        self._close_listener()
        self._drop_connections()

    # --- plumbing ---------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _drop_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            # shutdown() rather than close() alone: close() does not wake the pump thread
            # blocked in recv() on this socket, and the connection would live on.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._track(client)
            if self.mode == "blackhole":
                continue  # held open, never answered
            if self.mode != "up":
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            self._track(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def tcp_proxy(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(host, port)
    try:
        yield proxy
    finally:
        proxy.close()
