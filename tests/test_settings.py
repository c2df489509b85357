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
