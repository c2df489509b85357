"""``condo mlit fetch`` against the local XIT001 stand-in (issue 18): the real responses served over
HTTP with gzip, a quarter without records, a 429 tried again, a refused key; the key never appears in
the output, the logs, the saved bodies' names or the database."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from condo.cli import main
from db.engine import make_engine
from scraper.closed_prices.client import Client, FetchError
from simulator.closed_sales import closed_sales, xit001_records
from simulator.market import DEMO_SEED, build_market, demo_config
from simulator.mlit_api import MlitApi, serve_mlit
from tests.conftest import shared_page

KEY = "k3y-0f-th3-t3st-9f8e7d"


@pytest.fixture
def api() -> MlitApi:
    api = MlitApi(KEY)
    api.add_response_file(shared_page("mlit/xit001-en-chuo-2024q2.json"), 13102, 2024, 2)
    api.add_response_file(shared_page("mlit/xit001-ja-chuo-2015q2.json"), 13102, 2015, 2)
    return api


def run(args: list[str], tmp_path: Path, key: str = KEY) -> tuple[int, str]:
    env = {"CONDO_MLIT_API_KEY": key, "CONDO_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": ""}
    database = f"sqlite:///{tmp_path / 'condo.sqlite3'}"
    result = CliRunner().invoke(main, ["mlit", "fetch", *args, "--database-url", database, "--pause", "0"], env=env)
    return result.exit_code, result.output


def test_fetch_imports_each_quarter_and_keeps_its_body(
    api: MlitApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.too_many_requests = 1  # the first request is told to slow down, and is asked again
    with serve_mlit(api) as url:
        code, output = run(["--wards", "13102", "--from", "2024Q1", "--to", "2024Q2", "--base-url", url], tmp_path)
    assert code == 0, output
    assert "13102 2024Q1: no records" in output and "13102 2024Q2: 505 added" in output
    assert "3 request(s)" not in output and "2 request(s), 1 quarter(s) without records; 505 record(s) added" in output
    assert len(api.requests) == 3  # 429, then 2024Q1 (404), 2024Q2
    saved = sorted(p.name for p in (tmp_path / "data" / "mlit" / "raw").iterdir())
    assert saved == ["13102-2024Q2.json.gz"]
    engine = make_engine(f"sqlite:///{tmp_path / 'condo.sqlite3'}")
    with engine.connect() as connection:
        sources = {row[0] for row in connection.execute(text("SELECT DISTINCT source FROM closed_prices"))}
        stored = connection.execute(text("SELECT COUNT(*) FROM v_closed_prices")).scalar()
        dump = " ".join(str(row) for row in connection.execute(text("SELECT * FROM closed_prices LIMIT 50")))
    engine.dispose()
    assert stored == 505 and sources == {"XIT001 city=13102 2024Q2"}
    for place in (output, caplog.text, " ".join(api.requests), " ".join(saved), " ".join(sources), dump):
        assert KEY not in place
    # Again: nothing new.
    with serve_mlit(api) as url:
        code, output = run(["--wards", "13102", "--from", "2024Q2", "--to", "2024Q2", "--base-url", url], tmp_path)
    assert code == 0 and "0 added, 505 already stored" in output


def test_a_refused_key_is_one_line_without_the_key(api: MlitApi, tmp_path: Path) -> None:
    with serve_mlit(api) as url:
        code, output = run(
            ["--wards", "koto", "--from", "2024Q2", "--to", "2024Q2", "--base-url", url], tmp_path, "wrong"
        )
    assert code == 1 and "the API refused the key (HTTP 401): check CONDO_MLIT_API_KEY" in output
    assert "wrong" not in output


def test_no_key_says_where_to_put_it(tmp_path: Path) -> None:
    code, output = run(["--from", "2024Q2", "--to", "2024Q2"], tmp_path, key="")
    assert code == 1 and "no API key: set CONDO_MLIT_API_KEY" in output


def test_a_server_that_keeps_failing_is_a_clear_error() -> None:
    api = MlitApi(KEY, too_many_requests=10)
    with serve_mlit(api) as url:
        client = Client(KEY, url, pause_seconds=0, attempts=3, backoff_seconds=0)
        with pytest.raises(FetchError, match=r"did not answer .* after 3 attempts \(HTTP 429\)") as raised:
            client.get(13108, 2024, 1)
    assert KEY not in str(raised.value)


def test_the_simulated_quarters_speak_xit001() -> None:
    """The stand-in also serves the SIMULATED market's sales, in the API's Japanese text."""
    market = build_market(demo_config(DEMO_SEED, 91))
    sales = closed_sales(market)
    records = xit001_records(sales, 13108, 2026, 4)
    assert records and all(r["Type"] == "中古マンション等" and r["Period"] == "2026年第4四半期" for r in records)
    assert all(int(r["Area"]) % 5 == 0 and int(r["TradePrice"]) % 1_000_000 == 0 for r in records)
    assert {r["PriceCategory"] for r in records} == {"成約価格情報", "不動産取引価格情報"}
    discounts = [1 - sale.price_yen / sale.asking_yen for sale in sales]
    assert 0.03 < sum(discounts) / len(discounts) < 0.09  # 4-8 % below the last asking price, then rounded
