"""A local stand-in for MLIT's XIT001 API: a real HTTP server on 127.0.0.1 speaking its protocol (the
key in ``Ocp-Apim-Subscription-Key``, ``year``/``quarter``/``city`` parameters, gzip JSON bodies, HTTP 404
for a quarter without records, 429 when asked too fast). It serves saved real responses and the
SIMULATED market's quarters, so ``condo mlit fetch`` is tested, and demonstrated, without the network.
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from simulator.site import serve_handler

PATH = "/ex-api/external/XIT001"


@dataclass
class MlitApi:
    key: str
    records: dict[tuple[int, int, int], list[dict[str, Any]]] = field(default_factory=dict)
    """(city, year, quarter) → the records the API gives for it."""
    too_many_requests: int = 0
    """Answer this many next requests with HTTP 429 (Retry-After: 0) before serving again."""
    requests: list[str] = field(default_factory=list)
    """The paths asked (the key is never in them)."""

    def add(self, city: int, year: int, quarter: int, records: list[dict[str, Any]]) -> None:
        self.records.setdefault((city, year, quarter), []).extend(records)

    def add_response_file(self, path: Path, city: int, year: int, quarter: int) -> None:
        self.add(city, year, quarter, json.loads(path.read_text(encoding="utf-8"))["data"])


class _Handler(BaseHTTPRequestHandler):
    api: MlitApi

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests read api.requests
        return

    def _answer(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        api = self.api
        api.requests.append(self.path)
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            self._answer(404, {"message": "Resource not found"})
            return
        if self.headers.get("Ocp-Apim-Subscription-Key") != api.key:
            self._answer(401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."})
            return
        if api.too_many_requests > 0:
            api.too_many_requests -= 1
            self._answer(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, {"Retry-After": "0"})
            return
        query = dict(urllib.parse.parse_qsl(url.query))
        try:
            key = (int(query["city"]), int(query["year"]), int(query.get("quarter", "0")))
        except (KeyError, ValueError):
            self._answer(400, {"status": "ERROR", "message": "year and city are required"})
            return
        records = api.records.get(key)
        if not records:
            self._answer(404, {"status": "NOT_FOUND", "message": "no records"})
            return
        self._answer(200, {"status": "OK", "data": records})


@contextmanager
def serve_mlit(api: MlitApi) -> Iterator[str]:
    """Serve ``api`` on a free local port; yields the XIT001 URL."""
    with serve_handler(type("Handler", (_Handler,), {"api": api})) as base_url:
        yield base_url + PATH
