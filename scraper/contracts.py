"""Scrapy contracts for ``scrapy check``.

``@suumo_path /ms/chuko/tokyo/sc_koto/`` is ``@url`` relative to the ``SUUMO_BASE_URL`` setting, so the
same contracts run against the real site or against a local copy of it:
``scrapy check -s SUUMO_BASE_URL=http://127.0.0.1:8000``.
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract


class SuumoPathContract(Contract):
    """Request ``SUUMO_BASE_URL`` + the given path.

    @suumo_path /ms/chuko/tokyo/sc_koto/?pc=100
    """

    name = "suumo_path"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        spider = args["callback"].__self__  # the bound callback under test
        base = spider.settings.get("SUUMO_BASE_URL", "https://suumo.jp").rstrip("/")
        args["url"] = base + "/" + self.args[0].lstrip("/")
        return args
