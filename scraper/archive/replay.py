"""Archived pages answered again as the site answered them that night, so that the real spiders can
crawl a past night again (``condo reparse``): by path and query, the same status, headers and body
(scraper.middlewares.ArchiveReplayMiddleware answers the spider's requests from an ArchivedSite). A page
the night never fetched is a 404."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scraper.archive.warc import read_records


@dataclass
class ArchivedSite:
    pages: dict[str, tuple[int, list[tuple[str, str]], bytes]] = field(default_factory=dict)
    """``path?query`` → (status, headers, body)."""

    @classmethod
    def from_files(cls, files: Sequence[Path], context: Sequence[Path] = ()) -> ArchivedSite:
        """The responses of ``files``; ``context`` (earlier files) only resolves their revisits."""
        site = cls()
        wanted = set(files)
        for record in read_records([*context, *files]):
            if record.body is not None and record.file in wanted:
                site.pages[page_key(record.url)] = (record.status, record.headers, record.body)
        return site


def page_key(url: str) -> str:
    """What identifies a page whatever the host: its path and query.

    >>> page_key("http://127.0.0.1:8000/ms/chuko/tokyo/sc_koto/?pc=100")
    '/ms/chuko/tokyo/sc_koto/?pc=100'
    """
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
