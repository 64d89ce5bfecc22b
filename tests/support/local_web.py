"""Web servers on 127.0.0.1 for the code that fetches URLs: each path answers with what a test
gives it (a page, a redirect, a slow or endless body), and every request is recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes | Callable = b""  # bytes, or a function writing to the stream (endless bodies)
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    method: str = "GET"
    body: bytes = b""


class LocalWeb:
    def __init__(self):
        self.routes: dict[str, Answer | Callable[[Request], Answer]] = {}
        self.requests: list[Request] = []
        self.fallback = Answer(404, b"not found")  # for any other path
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (the standard library's name)
                size = int(self.headers.get("Content-Length") or 0)
                self.answer(Request(self.path, dict(self.headers.items()), method="POST",
                                    body=self.rfile.read(size)))  # fmt: skip

            def do_GET(self):  # noqa: N802
                self.answer(Request(self.path, dict(self.headers.items())))

            def answer(self, request: Request) -> None:
                web.requests.append(request)
                answer = web.routes.get(self.path.split("?")[0]) or web.fallback
                if callable(answer):
                    answer = answer(request)
                time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if callable(answer.body):
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        answer.body(self.wfile)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> LocalWeb:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
