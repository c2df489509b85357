"""A tiny HTTP server on 127.0.0.1 that serves fixed responses per path, for crawl tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: str = ""
    content_type: str = "text/html; charset=utf-8"


@dataclass
class StaticSite:
    """Routes are matched on the full path with query (``/ms/chuko/tokyo/sc_koto/?pc=100``) first,
    then on the path alone; anything else is a 404."""

    routes: dict[str, Route] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering any path that is not robots.txt
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)
    base_url: str = ""

    def add(self, path: str, body: str, status: int = 200, content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = Route(status, body, content_type)

    def route_for(self, raw_path: str) -> Route:
        if raw_path in self.routes:
            return self.routes[raw_path]
        return self.routes.get(raw_path.split("?", 1)[0], Route(404, "<html><title>404</title></html>"))


@contextmanager
def serve(site: StaticSite) -> Iterator[StaticSite]:
    """Serve ``site`` on a free local port for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, self.headers.get("User-Agent", "")))
            if site.delay and self.path != "/robots.txt":
                time.sleep(site.delay)
            route = site.route_for(self.path)
            payload = route.body.encode("utf-8")
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
