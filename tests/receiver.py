"""A real HTTP server on 127.0.0.1 that records what it receives: the far end of a callback."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: str

    @property
    def form(self):
        return dict(parse_qsl(self.body, keep_blank_values=True))


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)
    # Status codes to answer, in order; 200 once they run out.
    statuses: list = field(default_factory=list)
    delay: float = 0.0

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.requests) >= count


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            receiver.requests.append(
                Received(self.command, self.path, dict(self.headers.items()), body)
            )
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the caller gave up (a timeout test)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    holder = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder.setdefault("r", None)))
    recv = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/usage-hook")
    server.RequestHandlerClass = _handler(recv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recv
    server.shutdown()
    server.server_close()
