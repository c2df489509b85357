"""Politeness and configuration defaults."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from scraper.suumo.urls import WARDS, list_url, parse_wards, with_page_size


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("SUUMO_BASE_URL", raising=False)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    return get_project_settings()


def test_polite_defaults(settings: Settings) -> None:
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 2
    assert not settings.getbool("RANDOMIZE_DOWNLOAD_DELAY")  # would allow delays under 2 s
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("DOWNLOAD_TIMEOUT") > 0 and settings.getint("RETRY_TIMES") > 0
    assert settings.get("USER_AGENT").startswith("tokyo-condo-tracker/")
    assert settings.get("SUUMO_BASE_URL") == "https://suumo.jp"


def test_list_urls_use_the_allowed_path_form_and_largest_page_size() -> None:
    assert list_url("https://suumo.jp", "used", WARDS["bunkyo"]) == "https://suumo.jp/ms/chuko/tokyo/sc_bunkyo/?pc=100"
    assert list_url("http://127.0.0.1:8000/", "new", WARDS["minato"]) == (
        "http://127.0.0.1:8000/ms/shinchiku/tokyo/sc_minato/?pc=100"
    )
    assert with_page_size("https://suumo.jp/ms/chuko/tokyo/sc_koto/?page=2") == (
        "https://suumo.jp/ms/chuko/tokyo/sc_koto/?pc=100&page=2"
    )


def test_ward_argument() -> None:
    assert [w.slug for w in parse_wards(None)] == ["koto", "bunkyo", "minato"]
    assert [w.code for w in parse_wards("Minato, koto,minato")] == [13103, 13108]
    with pytest.raises(ValueError, match="unknown ward 'chiyoda'"):
        parse_wards("koto,chiyoda")
    with pytest.raises(ValueError, match="no ward given"):
        parse_wards(",")


def test_real_robots_txt_allows_our_urls_and_disallows_the_old_forms() -> None:
    """The site's own robots.txt (saved 2026): the path-form lists and detail pages are allowed, the
    /jj/bukken/ichiran/ forms (and so the RSS feed saved in the fixtures) are not."""
    from protego import Protego

    from tests.conftest import read_shared

    robots = Protego.parse(read_shared("suumo/robots-suumo.txt"))
    agent = "tokyo-condo-tracker/0.1"
    for ward in WARDS.values():
        for kind in ("used", "new"):
            url = list_url("https://suumo.jp", kind, ward)  # type: ignore[arg-type]
            assert robots.can_fetch(url, agent), url
            assert robots.can_fetch(with_page_size(url + "&page=2"), agent)
    assert robots.can_fetch("https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/", agent)
    assert not robots.can_fetch("https://suumo.jp/jj/bukken/ichiran/JJ010FJ001/?ar=030&bs=011&ta=13&sc=13108", agent)
    assert not robots.can_fetch("https://suumo.jp/jj/bukken/ichiran/JJ012FC001/?ar=030&bs=011&sc=13108", agent)
