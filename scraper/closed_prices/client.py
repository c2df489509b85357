"""The XIT001 API client: one request per municipality and quarter, politely, with retries.

The key comes from ``CONDO_MLIT_API_KEY`` and travels only in the ``Ocp-Apim-Subscription-Key``
header: never in a URL, a log line, an error message, a stored source or the database. Bodies are
gzip JSON; each is kept as received (``<raw>/<city>-<YYYY>Q<n>.json.gz``) so a quarter can be read
again without asking MLIT, then imported in its own transaction. HTTP 404 means "no records" (not a
failure); 429 and 5xx are tried again with back-off (honouring ``Retry-After``); 401/403 say the key
was refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from db.engine import session_scope
from scraper.closed_prices.importer import ImportResult, import_body

logger = logging.getLogger(__name__)

KEY_ENV = "CONDO_MLIT_API_KEY"
DEFAULT_BASE_URL = "https://www.reinfolib.mlit.go.jp/ex-api/external/XIT001"
USER_AGENT = "tokyo-condo-tracker (closed prices; https://github.com/tokyo-condo-tracker)"
FIRST_QUARTER = "2005Q3"
"""Transaction prices start in 2005 Q3; contract prices in 2021."""


class FetchError(RuntimeError):
    """The API could not be asked or refused to answer: the message says why, never with the key."""


def parse_quarter(text: str) -> tuple[int, int]:
    """``2021Q1`` → (2021, 1).

    >>> parse_quarter("2024q3")
    (2024, 3)
    """
    match = re.fullmatch(r"(\d{4})Q([1-4])", text.strip().upper())
    if not match:
        raise ValueError(f"{text!r} is not a quarter such as 2021Q1")
    return int(match.group(1)), int(match.group(2))


def quarters(first: str, last: str) -> Iterator[tuple[int, int]]:
    """Every quarter from ``first`` to ``last``, both included.

    >>> list(quarters("2023Q4", "2024Q2"))
    [(2023, 4), (2024, 1), (2024, 2)]
    """
    year, quarter = parse_quarter(first)
    end = parse_quarter(last)
    if (year, quarter) > end:
        raise ValueError(f"{first} is after {last}")
    while (year, quarter) <= end:
        yield year, quarter
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def last_complete_quarter(today: dt.date) -> str:
    """The quarter before today's (MLIT publishes a quarter months after it ends; a newer one is
    simply answered with no records).

    >>> last_complete_quarter(dt.date(2026, 12, 4))
    '2026Q3'
    """
    year, quarter = today.year, (today.month - 1) // 3 + 1
    year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return f"{year}Q{quarter}"


def api_key() -> str:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise FetchError(f"no API key: set {KEY_ENV} (MLIT gives one free on application)")
    return key


@dataclass
class Client:
    key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    pause_seconds: float = 1.0
    """Between requests (polite pacing)."""
    attempts: int = 5
    backoff_seconds: float = 2.0
    timeout_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    _last: float = field(default=0.0, repr=False)

    def url(self, city: int, year: int, quarter: int, language: str = "ja") -> str:
        query = urllib.parse.urlencode({"year": year, "quarter": quarter, "city": f"{city:05d}", "language": language})
        return f"{self.base_url}?{query}"

    def get(self, city: int, year: int, quarter: int) -> bytes | None:
        """The body for one municipality and quarter (both price categories), None when there are no
        records. Raises :class:`FetchError`."""
        url = self.url(city, year, quarter)
        for attempt in range(1, self.attempts + 1):
            wait = self.pause_seconds - (time.monotonic() - self._last)
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            request = urllib.request.Request(
                url,
                headers={"Ocp-Apim-Subscription-Key": self.key, "Accept-Encoding": "gzip", "User-Agent": USER_AGENT},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                    return bytes(response.read())
            except urllib.error.HTTPError as error:
                error.close()
                if error.code == 404:
                    return None
                if error.code in (401, 403):
                    raise FetchError(f"the API refused the key (HTTP {error.code}): check {KEY_ENV}") from None
                if error.code != 429 and error.code < 500:
                    raise FetchError(f"the API answered HTTP {error.code} for {url}") from None
                problem = f"HTTP {error.code}"
                retry_after = error.headers.get("Retry-After", "") if error.headers else ""
                pause = float(retry_after) if retry_after.isdigit() else self.backoff_seconds * 2 ** (attempt - 1)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                problem = str(getattr(error, "reason", error))
                pause = self.backoff_seconds * 2 ** (attempt - 1)
            if attempt == self.attempts:
                raise FetchError(f"the API did not answer {url} after {self.attempts} attempts ({problem})")
            logger.warning("XIT001 %s: %s; trying again in %.0f s", url, problem, pause)
            self.sleep(pause)
        raise AssertionError("unreachable")


@dataclass
class FetchResult:
    requests: int = 0
    empty: int = 0
    """Quarters answered with no records (not published yet, or none)."""
    imported: ImportResult = field(default_factory=ImportResult)
    raw_files: list[Path] = field(default_factory=list)


def fetch(
    engine: Engine,
    client: Client,
    cities: list[int],
    first: str,
    last: str,
    raw_dir: Path,
    on_quarter: Callable[[int, int, int, ImportResult | None], None] | None = None,
) -> FetchResult:
    """Ask for every city and quarter, keep each body, import it (one transaction per response)."""
    plan = [(city, year, quarter) for year, quarter in quarters(first, last) for city in cities]
    raw_dir.mkdir(parents=True, exist_ok=True)
    result = FetchResult()
    for city, year, quarter in plan:
        body = client.get(city, year, quarter)
        result.requests += 1
        if body is None:
            result.empty += 1
            if on_quarter:
                on_quarter(city, year, quarter, None)
            continue
        raw = raw_dir / f"{city:05d}-{year}Q{quarter}.json.gz"
        raw.write_bytes(body if body[:2] == b"\x1f\x8b" else _gzip(body))
        result.raw_files.append(raw)
        with session_scope(engine) as session:
            imported = import_body(session, body, f"XIT001 city={city:05d} {year}Q{quarter}")
        result.imported += imported
        if on_quarter:
            on_quarter(city, year, quarter, imported)
    return result


def _gzip(body: bytes) -> bytes:
    import gzip

    return gzip.compress(body)
