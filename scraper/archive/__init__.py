"""The page archive: every response a crawl receives, as WARC files (``warc``), pruned by ``prune``,
served again to a spider by ``replay``. docs/archive.md explains it."""
