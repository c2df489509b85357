"""Archived pages answered again as the site answered them that night, so that the real spiders can
crawl a past night again (``condo reparse``): by path and query, the same status, headers and body
(scraper.middlewares.ArchiveReplayMiddleware answers the spider's requests from an ArchivedSite), or
over HTTP on 127.0.0.1 (serve_archived). A page the night never fetched is a 404."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from archive import read_records


@dataclass
class ArchivedSite:
    pages: dict[str, tuple[int, list[tuple[str, str]], bytes]] = field(default_factory=dict)
    """``path?query`` → (status, headers, body)."""
    asked: list[str] = field(default_factory=list)

    @classmethod
    def from_files(cls, files: Sequence[Path], context: Sequence[Path] = ()) -> ArchivedSite:
        """The responses of ``files``; ``context`` (earlier files) only resolves their revisits."""
        site = cls()
        asked = {page_key(record.url) for record in read_records(list(files), resolve=False)}
        for record in read_records([*context, *files]):
            key = page_key(record.url)
            if record.body is not None and key in asked:
                site.pages[key] = (record.status, record.headers, record.body)
        return site


def page_key(url: str) -> str:
    """What identifies a page whatever the host: its path and query.

    >>> page_key("http://127.0.0.1:8000/ms/chuko/tokyo/sc_koto/?pc=100")
    '/ms/chuko/tokyo/sc_koto/?pc=100'
    """
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class _Handler(BaseHTTPRequestHandler):
    site: ArchivedSite

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.site.asked.append(self.path)
        page = self.site.pages.get(self.path)
        if page is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = page
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_archived(site: ArchivedSite) -> Iterator[str]:
    """Serve ``site`` on a free local port; yields its base URL."""
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
