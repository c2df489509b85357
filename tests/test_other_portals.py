"""``condo parse`` on the real pages of portals no spider reads: named, skipped, exit status 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from condo.cli import main
from scraper.offline import UnreadSiteError, parse_file
from scraper.sites import site_for_url
from tests.conftest import shared_page

PAGES = {
    "homes/chuko-list-tokyo-2026-02.html": "LIFULL HOME'S",
    "rehouse/chuko-detail-minato-F02BAA02-2026-01.html": "Mitsui Rehouse",
    "livable/chuko-detail-adachi-C13262J18-2026-02.html": "Tokyu Livable",
    "nomucom/chuko-detail-yokohama-R7149429-2026-01.html": "Nomucom",
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_other_portal_page_is_named_and_skipped(page: str) -> None:
    path = shared_page(page)
    with pytest.raises(UnreadSiteError, match=PAGES[page]):
        parse_file(path)
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 2
    assert PAGES[page] in result.output and "no spider reads this site yet" in result.output
    assert "Traceback" not in result.output


def test_a_suumo_page_among_them_still_parses_and_exit_is_zero() -> None:
    paths = [str(shared_page(page)) for page in sorted(PAGES)]
    paths.append(str(shared_page("suumo/chuko-detail-edogawa-nc78138673-2026-02.html")))
    result = CliRunner().invoke(main, ["parse", *paths])
    assert result.exit_code == 0
    assert result.output.count("no spider reads this site yet") == 4
    assert '"listing_id": "78138673"' in result.output


def test_every_unread_site_is_documented() -> None:
    from scraper.sites import SITES
    from tests.conftest import REPO

    doc = (REPO / "docs" / "other-portals.md").read_text(encoding="utf-8")
    for site in SITES:
        if site.spider is None and site.host not in {"www.athome.co.jp", "realestate.yahoo.co.jp"}:
            assert site.name.split(" (")[0] in doc, site.name
    assert site_for_url("https://suumo.jp/ms/chuko/tokyo/sc_koto/") is not None
