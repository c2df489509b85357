"""The alarm for real: Apprise posts to a local HTTP receiver (``json://``); ``condo status`` exits
non-zero when something needs attention and can send it; no secret leaves in a message."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from condo.cli import main
from condo.scheduling import jobs, runs
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import CrawlRun, CrawlRunWard
from tests.support.webhook import webhook


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with webhook() as hook:
        yield hook


def config_for(tmp_path: Path, alarm_url: str | None) -> Path:
    database = tmp_path / "condo.sqlite3"
    upgrade(make_engine(f"sqlite:///{database}"))
    path = tmp_path / "scheduler.toml"
    alarm = f'[alarm]\nurls = ["{alarm_url}"]\n' if alarm_url else ""
    path.write_text(f'[scheduler]\ndatabase_url = "sqlite:///{database}"\nmax_retries = 0\n{alarm}')
    return path


def add_night(config_file: Path, spider: str, verdict: str, started: dt.datetime, reasons: str | None = None) -> int:
    from condo.scheduling.config import load_config

    engine = make_engine(load_config(config_file).database_url)
    healthy = verdict == "complete_healthy"
    with session_scope(engine) as session:
        run = CrawlRun(
            spider=spider,
            source="suumo",
            property_type="used",
            wards="koto",
            started_at=started,
            finished_at=started + dt.timedelta(minutes=20),
            night=(started + dt.timedelta(hours=21)).date(),
            complete=True,
            healthy=healthy,
            verdict=verdict,
            verdict_reasons=reasons,
        )
        session.add(run)
        session.flush()
        session.add(
            CrawlRunWard(
                run_id=run.id,
                ward_code=13108,
                ward="koto",
                hits=0 if not healthy else 280,
                cards=0 if not healthy else 280,
                list_pages_failed=0,
                complete=True,
                healthy=healthy,
                verdict=verdict,
                reasons=reasons,
            )
        )
        run_id = run.id
    engine.dispose()
    return run_id


def test_a_failed_job_reaches_the_receiver_without_secrets(
    tmp_path: Path, receiver: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = receiver
    config_file = config_for(tmp_path, url)
    monkeypatch.setenv("CONDO_DATA_DIR", str(tmp_path / "data"))

    def broken(config: Any) -> str:
        raise RuntimeError("could not connect to postgresql+psycopg://condo:s3cret@db.example/condo")

    monkeypatch.setitem(jobs.JOB_FUNCTIONS, "nightly_crawl", broken)
    assert runs.run_job("nightly_crawl", str(config_file)) == "failed"
    (message,) = received
    assert "needs attention: nightly_crawl" in message["title"]
    assert "job nightly_crawl: failed (attempt 1): RuntimeError: could not connect" in message["message"]
    assert "Look at: data/logs/scheduler.log" in message["message"]
    assert "s3cret" not in json.dumps(message) and "***@db.example" in message["message"]
    assert message["type"] == "failure"


def test_status_exits_non_zero_after_a_suspect_night_and_can_send_it(
    tmp_path: Path, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    config_file = config_for(tmp_path, None)
    now = dt.datetime.now(dt.UTC)
    add_night(config_file, "suumo_chuko", "complete_healthy", now - dt.timedelta(days=1))
    add_night(config_file, "suumo_shinchiku", "complete_healthy", now - dt.timedelta(hours=2))
    calm = CliRunner().invoke(main, ["status", "--config", str(config_file)])
    assert calm.exit_code == 0, calm.output
    run_id = add_night(
        config_file,
        "suumo_chuko",
        "suspect",
        now - dt.timedelta(hours=1),
        "suspect: koto: the site counted 0 listings, against 280 on recent nights",
    )
    result = CliRunner().invoke(main, ["status", "--config", str(config_file)])
    assert result.exit_code == 1
    assert (
        f"suumo_chuko, night of {(now - dt.timedelta(hours=1) + dt.timedelta(hours=21)).date()} (run {run_id})"
        in result.output
    )
    assert "koto suspect: suspect: koto: the site counted 0 listings" in result.output
    assert received == []  # status alone sends nothing
    sent = CliRunner(env={"CONDO_ALARM_URLS": url}).invoke(main, ["status", "--config", str(config_file), "--notify"])
    assert sent.exit_code == 1
    (message,) = received
    assert "the site counted 0 listings, against 280" in message["message"]
    assert "nothing was removed from these wards tonight" in message["message"]


def test_bad_alarm_configuration_is_a_clear_error(tmp_path: Path) -> None:
    from condo.scheduling.config import ConfigError, load_config

    path = tmp_path / "bad.toml"
    path.write_text('[alarm]\nurls = ["not a url"]\n')
    with pytest.raises(ConfigError, match=r"alarm\.urls: expected a list of Apprise URLs"):
        load_config(path)


def test_an_untrusted_night_is_reported_even_when_its_reasons_mention_held_removals(tmp_path: Path) -> None:
    from condo.alarm.attention import standing_attention
    from condo.scheduling.config import load_config

    config_file = config_for(tmp_path, None)
    now = dt.datetime.now(dt.UTC)
    run_id = add_night(
        config_file,
        "suumo_chuko",
        "suspect",
        now - dt.timedelta(hours=1),
        "suspect: koto: the site counted 0 listings, against 280 on recent nights; "
        "12 removal(s) held for review in bunkyo (too many for one night)",
    )
    engine = make_engine(load_config(config_file).database_url)
    with session_scope(engine) as session:
        items = standing_attention(session, now)
    engine.dispose()
    untrusted = [item for item in items if item.kind == "untrusted"]
    assert [item.where.endswith(f"(run {run_id})") for item in untrusted] == [True]
    assert "koto suspect" in untrusted[0].what
