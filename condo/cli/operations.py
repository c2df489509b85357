"""``condo schedule`` and ``condo status``: the scheduler, and what needs a person's attention."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from condo.jobs import JOBS


@click.command("schedule")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file with [scheduler] and [jobs.<name>] sections (default: built-in defaults).",
)
@click.option("--list", "list_jobs", is_flag=True, help="Show the jobs and their next run times, then exit.")
@click.option(
    "--run",
    "run_now",
    type=click.Choice(JOBS),
    help="Run one job now in the foreground, then exit.",
)
def schedule_command(config_path: Path | None, list_jobs: bool, run_now: str | None) -> None:
    """Run the scheduler: nightly crawl 02:30 JST, weekly report Monday 06:00 JST, maintenance Sunday 04:00 JST.

    Jobs persist in the database; a job missed while the machine slept runs once on wake (within the
    misfire grace time); a running job is never started twice, even by a second scheduler; failed jobs
    are retried with back-off, and every run is recorded (see `condo status`). Logs go to the console
    and data/logs/scheduler.log. SIGTERM stops after the running job. Same as `python scheduler.py`.

    \b
    Examples:
      condo schedule --list
      condo schedule --run nightly_crawl
      condo schedule --config /etc/condo/scheduler.toml
    """
    from condo.scheduling.config import ConfigError, dispose_engines, load_config
    from condo.scheduling.runs import Locked, run_job
    from condo.scheduling.serving import planned_jobs, serve, setup_logging

    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error
    if list_jobs:
        for job in planned_jobs(config):
            when = job.next_run.isoformat() if job.next_run else "disabled"
            click.echo(f"{job.name:15} {job.cron:15} next run {when}")
        return
    log = setup_logging()
    if run_now:
        try:
            outcome = run_job(run_now, str(config_path) if config_path else None)
        finally:
            dispose_engines()
        click.echo(f"{run_now}: {outcome} (log: {log})")
        from db.models import JobOutcome

        sys.exit(0 if outcome == JobOutcome.SUCCESS else 1)
    try:
        serve(config)
    except Locked as error:
        click.echo(f"Not started: {error} (a scheduler is already running)", err=True)
        sys.exit(1)


@click.command("status")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Scheduler TOML file.")
@click.option(
    "--notify",
    is_flag=True,
    help="Also send what needs attention to the alarm URLs ([alarm] urls or CONDO_ALARM_URLS).",
)
@click.option(
    "--database-url",
    help="SQLAlchemy URL of the database to look at (default: the scheduler config's, else DATABASE_URL, "
    "else sqlite:///data/condo.sqlite3).",
)
def status_command(config_path: Path | None, notify: bool, database_url: str | None) -> None:
    """Show the last run of each job and spider with its verdict, the next runs, and warnings to act on.

    Exit status 0 when nothing needs attention, 1 when something does (an untrusted night, held
    removals, a failed job, no trusted crawl for days): usable from cron and monitoring tools.

    \b
    Examples:
      condo status
      condo status --notify     # from cron: a message when something needs attention
      condo status --database-url sqlite:///data/demo/demo.sqlite3
    """
    from condo.alarm.notify import alarm_urls, send
    from condo.scheduling.config import ConfigError, load_config
    from condo.status import collect_status, status_lines

    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error
    if database_url:
        config["scheduler"]["database_url"] = database_url
    status = collect_status(config)
    click.echo("\n".join(status_lines(status)))
    if notify and status.attention:
        urls = alarm_urls(config["alarm"]["urls"])
        if not urls:
            click.echo("No alarm URL configured ([alarm] urls or CONDO_ALARM_URLS): nothing sent.", err=True)
        elif send(urls, "condo status", status.attention):
            click.echo(f"Alarm sent to {len(urls)} URL(s).", err=True)
        else:
            click.echo("The alarm could not be sent: see the log above.", err=True)
    if status.needs_attention:
        sys.exit(1)
