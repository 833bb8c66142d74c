"""A threaded WSGI server on 127.0.0.1 for the local IdPs; prints "ready" once it listens."""

from __future__ import annotations

import sys
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        sys.stderr.write(f"[idp] {format % args}\n")


def bind(port: int) -> WSGIServer:
    """Listen on 127.0.0.1:`port` (0: any free port); the application is set later."""
    return make_server("127.0.0.1", port, None, server_class=_Server, handler_class=_QuietHandler)


def serve(app: Any, port: int, what: str) -> None:
    server = bind(port)
    server.set_app(app)
    print(f"ready: {what} on http://127.0.0.1:{server.server_port}/", flush=True)
    server.serve_forever()
