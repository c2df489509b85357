"""The page archive: every response a crawl receives, kept as WARC (ISO 28500) files, one per crawl run.

A night's pages are gone from the site the next day; the archive keeps them so that a number can be
traced back to the page that showed it, and so that pages can be read again by a better parser.

- One file per run, ``<folder>/<spider>-<YYYYmmddTHHMMSSZ>-<pid>.warc.gz``: for each response a
  ``request`` record (method, URL, the request headers) and a ``response`` record (status, headers,
  body). Bodies are stored as the spider saw them (decompressed): ``Content-Encoding`` is left out of
  the stored headers.
- Identical bodies are stored once: a body whose SHA-1 payload digest the archive already holds is
  written as a ``revisit`` record (WARC's identical-payload-digest profile) naming the first record's
  URL and date. Most detail pages do not change between fetches. The digests live in
  ``<folder>/digests.sqlite3`` with the file and byte offset of the record holding the body, so a
  revisit is resolved by reading that one record, however many nights the archive holds
  (:func:`read_records`; an index written before offsets were kept falls back to reading that file).
- Each record is its own gzip member, written and flushed as it comes: a crawl killed at any moment
  leaves a file readable up to its last complete record.

Reading: :func:`read_records` (warcio underneath); pandas users can read the same files with any WARC tool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
"""Not stored: the body is kept decoded, and its length is the record's."""


def payload_digest(body: bytes) -> str:
    """WARC's payload digest of a body (SHA-1, base32), the key of identical bodies.

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    import base64

    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


@dataclass(frozen=True)
class Written:
    record_id: str
    """The response (or revisit) record's WARC-Record-ID."""
    revisit: bool
    file: Path


class DigestIndex:
    """Which payloads the archive holds (digest → first URL, date and record, and the file and byte
    offset of that record), across runs."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.connection = sqlite3.connect(folder / "digests.sqlite3", isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS digests"
            " (digest TEXT PRIMARY KEY, uri TEXT, date TEXT, record_id TEXT, file TEXT, offset INTEGER)"
        )
        columns = {row[1] for row in self.connection.execute("PRAGMA table_info(digests)")}
        if "offset" not in columns:  # an index written before offsets were kept: those rows have none
            self.connection.execute("ALTER TABLE digests ADD COLUMN offset INTEGER")

    def get(self, digest: str) -> tuple[str, str] | None:
        row = self.connection.execute("SELECT uri, date FROM digests WHERE digest = ?", (digest,)).fetchone()
        return (row[0], row[1]) if row else None

    def locate(self, digest: str) -> tuple[Path, int | None] | None:
        """The file holding the body's record, and the record's offset in it (None if not kept)."""
        row = self.connection.execute("SELECT file, offset FROM digests WHERE digest = ?", (digest,)).fetchone()
        return (self.folder / row[0], row[1]) if row else None

    def add(self, digest: str, uri: str, date: str, record_id: str, file: str, offset: int | None = None) -> None:
        self.connection.execute(
            "INSERT OR IGNORE INTO digests (digest, uri, date, record_id, file, offset) VALUES (?, ?, ?, ?, ?, ?)",
            (digest, uri, date, record_id, file, offset),
        )

    def moved(self, file: str, offsets: dict[str, int]) -> None:
        """The records of ``file`` now start at ``offsets`` (by digest): the file was rewritten."""
        self.connection.executemany(
            "UPDATE digests SET offset = ? WHERE digest = ? AND file = ?",
            [(offset, digest, file) for digest, offset in offsets.items()],
        )

    def body(self, digest: str) -> bytes | None:
        """The body with ``digest``, read from the one record that holds it; None if the archive has none."""
        found = self.locate(digest)
        if found is None or not found[0].exists():
            return None
        path, offset = found
        with open(path, "rb") as stream:
            if offset is not None:
                stream.seek(offset)
                body = _first_body(stream, digest)
                if body is not None:
                    return body
                stream.seek(0)  # the offset is stale (a file rewritten by hand): read the file
            return _first_body(stream, digest, first_only=False)

    def close(self) -> None:
        self.connection.close()


def _first_body(stream: IO[bytes], digest: str, first_only: bool = True) -> bytes | None:
    """The body of the response record with ``digest`` at the stream's position (``first_only``: the
    record there, else the first such record from there on), checked against its digest."""
    try:
        for record in ArchiveIterator(stream, check_digests="raise"):
            if record.rec_type == "response" and record.rec_headers.get_header("WARC-Payload-Digest") == digest:
                body = record.content_stream().read()
                return body if payload_digest(body) == digest else None
            if first_only and record.rec_type != "warcinfo":
                return None
    except (EOFError, OSError, ValueError, ArchiveLoadFailed):
        return None
    return None


class ArchiveWriter:
    """Writes one run's WARC file (opened on the first record)."""

    def __init__(self, folder: Path, name: str, software: str = "tokyo-condo-tracker"):
        self.folder = folder
        self.path = folder / f"{name}.warc.gz"
        self.software = software
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._digests: DigestIndex | None = None
        self.records = 0
        self.revisits = 0
        self.bytes_written = 0

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")  # noqa: SIM115 (closed in close())
            self._writer = WARCWriter(self._file, gzip=True)
            self._digests = DigestIndex(self.folder)
            info = self._writer.create_warcinfo_record(
                self.path.name, {"software": self.software, "format": "WARC/1.0"}
            )
            self._emit(info)
        return self._writer

    def _emit(self, record: object) -> None:
        assert self._writer is not None and self._file is not None
        self._writer.write_record(record)
        self._file.flush()
        self.bytes_written = self._file.tell()

    def write(
        self,
        url: str,
        method: str,
        request_headers: Sequence[tuple[str, str]],
        status: int,
        response_headers: Sequence[tuple[str, str]],
        body: bytes,
        when: dt.datetime,
    ) -> Written:
        """Archive one exchange; returns the response (or revisit) record's id."""
        writer = self._open()
        assert self._digests is not None
        date = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
        request = writer.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(f"{method} /{path} HTTP/1.1", list(request_headers), is_http_request=True),
            warc_headers_dict={"WARC-Date": date},
        )
        headers = [(k, v) for k, v in response_headers if k.lower() not in DROPPED_HEADERS]
        http = StatusAndHeaders(f"{status} {_reason(status)}", headers, protocol="HTTP/1.1")
        digest = payload_digest(body)
        first = self._digests.get(digest)
        if first is not None and body:
            response = writer.create_revisit_record(
                url, digest, first[0], first[1], http_headers=http, warc_headers_dict={"WARC-Date": date}
            )
            self.revisits += 1
        else:
            response = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": digest},
            )
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        self._emit(request)
        assert self._file is not None
        offset = self._file.tell()  # where the response's gzip member starts: the digest index keeps it
        self._emit(response)
        record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
        if first is None and body:
            self._digests.add(digest, url, date, record_id, self.path.name, offset)
        self.records += 1
        return Written(record_id, first is not None and bool(body), self.path)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._digests is not None:
            self._digests.close()
        self._file = self._writer = self._digests = None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass(frozen=True)
class Record:
    kind: str
    """``response`` or ``revisit``."""
    url: str
    date: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None
    """None for a revisit (the body is the first record's: :func:`read_records` resolves it)."""
    record_id: str
    refers_to: tuple[str, str] | None = None
    """A revisit's original (URL, date)."""
    file: Path | None = None
    """The WARC file it was read from."""


def read_records(files: Sequence[Path], resolve: bool = True) -> Iterator[Record]:
    """The response and revisit records of WARC files, in order; with ``resolve`` a revisit carries the
    body of the record it refers to: from the files being read, else from the archive its file lies in
    (the digest index names the one record to read). A file cut short ends at its last complete record."""
    bodies: dict[tuple[str, str], bytes] = {}
    indexes: dict[Path, DigestIndex | None] = {}
    try:
        for path in files:
            if resolve and _index_of(indexes, path.parent) is not None:
                bodies.clear()  # earlier files' bodies come from the index: memory stays one file's
            with open(path, "rb") as stream:
                try:
                    # Digests checked: a record whose body a killed crawl cut short is refused, never
                    # returned short.
                    for record in ArchiveIterator(stream, check_digests="raise"):
                        if record.rec_type not in ("response", "revisit"):
                            continue
                        url = str(record.rec_headers.get_header("WARC-Target-URI"))
                        date = str(record.rec_headers.get_header("WARC-Date"))
                        status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
                        headers = list(record.http_headers.headers) if record.http_headers else []
                        record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
                        if record.rec_type == "response":
                            body = record.content_stream().read()
                            expected = record.rec_headers.get_header("WARC-Payload-Digest")
                            if expected and payload_digest(body) != expected:
                                break  # cut short (a killed crawl): never returned with a partial body
                            bodies[(url, date)] = body
                            yield Record("response", url, date, status, headers, body, record_id, file=path)
                        else:
                            refers = (
                                str(record.rec_headers.get_header("WARC-Refers-To-Target-URI")),
                                str(record.rec_headers.get_header("WARC-Refers-To-Date")),
                            )
                            found = bodies.get(refers) if resolve else None
                            digest = record.rec_headers.get_header("WARC-Payload-Digest")
                            if resolve and found is None and digest:
                                found = _archived_body(indexes, path.parent, str(digest))
                                if found is not None:
                                    bodies[refers] = found
                            yield Record("revisit", url, date, status, headers, found, record_id, refers, path)
                except (EOFError, OSError, ValueError, ArchiveLoadFailed):
                    continue  # a file cut short by a killed crawl: what came before is complete
    finally:
        for index in indexes.values():
            if index is not None:
                index.close()


def _index_of(indexes: dict[Path, DigestIndex | None], folder: Path) -> DigestIndex | None:
    if folder not in indexes:
        indexes[folder] = DigestIndex(folder) if (folder / "digests.sqlite3").exists() else None
    return indexes[folder]


def _archived_body(indexes: dict[Path, DigestIndex | None], folder: Path, digest: str) -> bytes | None:
    index = _index_of(indexes, folder)
    return index.body(digest) if index is not None else None


def archive_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) of the WARC files under ``folder``."""
    files = list(folder.glob("*.warc.gz")) if folder.is_dir() else []
    return len(files), sum(os.path.getsize(path) for path in files)
