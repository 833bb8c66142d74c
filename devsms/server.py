"""A small server speaking the part of 46elks' API (https://46elks.com/docs/send-sms) that
Sikta uses, and checking what 46elks checks:

    POST /a1/sms   HTTP basic auth; form fields from, to, message
                   200 {"id": "s…", "status": "created", "from", "to", "message", "parts", …}
                   401 wrong credentials; 403 "Invalid to number" and the like, as plain text
    GET  /a1/sms   {"data": [the messages, newest first]}
    GET  /         the messages as a page (the demo's "phone")

`fault` makes it misbehave as a provider can: "down" answers 503 to every sending, "slow"
answers after `slow_seconds`.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

USERNAME = "u-devsms"
PASSWORD = "devsms-password"  # noqa: S105 — the local test provider's, fictional
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ALPHA_SENDER = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,10}$")


@dataclass
class Provider:
    username: str = USERNAME
    password: str = PASSWORD
    messages: list[dict[str, Any]] = field(default_factory=list)
    fault: str = ""
    slow_seconds: float = 5.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, form: dict[str, str]) -> str:
        for key in ("from", "to", "message"):
            if not form.get(key):
                return f"Missing key {key}"
        if not E164.match(form["to"]):
            return "Invalid to number"
        if not (ALPHA_SENDER.match(form["from"]) or E164.match(form["from"])):
            return "Invalid from"
        if len(form["message"]) > 1530:
            return "Message too long"
        return ""

    def accept(self, form: dict[str, str]) -> dict[str, Any]:
        message = {
            "id": "s" + uuid.uuid4().hex,
            "status": "created",
            "direction": "outgoing",
            "from": form["from"],
            "to": form["to"],
            "message": form["message"],
            "parts": 1 + len(form["message"]) // 161,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        with self.lock:
            self.messages.append(message)
        return message


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: str, content_type: str = "text/plain") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            expected = base64.b64encode(f"{provider.username}:{provider.password}".encode())
            return self.headers.get("Authorization", "") == f"Basic {expected.decode()}"

        def do_GET(self) -> None:
            if self.path.startswith("/a1/sms"):
                if not self._authorised():
                    return self._send(401, "Unauthorized")
                with provider.lock:
                    data = list(reversed(provider.messages))
                return self._send(200, json.dumps({"data": data}), "application/json")
            if self.path == "/":
                with provider.lock:
                    rows = "".join(
                        f"<li><b>{html.escape(m['to'])}</b> {html.escape(m['created'])}<br>"
                        f"{html.escape(m['message'])}</li>"
                        for m in reversed(provider.messages)
                    )
                page = (
                    '<!doctype html><html lang="sv"><meta charset="utf-8">'
                    "<title>Sikta: skickade sms (lokalt)</title><h1>Skickade sms</h1>"
                    f"<ul>{rows or '<li>Inga ännu.</li>'}</ul></html>"
                )
                return self._send(200, page, "text/html")
            return self._send(404, "Not found")

        def do_POST(self) -> None:
            if self.path != "/a1/sms":
                return self._send(404, "Not found")
            if provider.fault == "down":
                return self._send(503, "Service unavailable")
            if provider.fault == "slow":
                time.sleep(provider.slow_seconds)
            if not self._authorised():
                return self._send(401, "Unauthorized")
            length = int(self.headers.get("Content-Length", "0"))
            raw = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            form = {key: values[0] for key, values in raw.items()}
            problem = provider.refuse(form)
            if problem:
                return self._send(403, problem)
            return self._send(200, json.dumps(provider.accept(form)), "application/json")

    return Handler


@dataclass
class Running:
    url: str
    provider: Provider
    server: ThreadingHTTPServer

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self.provider.lock:
            return list(self.provider.messages)


@contextmanager
def serving(port: int = 0, provider: Provider | None = None) -> Iterator[Running]:
    """The provider on 127.0.0.1:`port` (0: a free one) in a thread, until the block ends."""
    provider = provider or Provider()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(provider))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{server.server_address[1]}", provider, server)
    finally:
        server.shutdown()
        server.server_close()
