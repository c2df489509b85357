"""``condo``: the command line, a thin layer over the library. One module per group of commands; each
command parses its options, calls a library function and prints what it returns."""

from __future__ import annotations

from condo.cli.base import main
from condo.cli.crawling import crawl_command, demo_command
from condo.cli.data import archive_group, browse_command, db_group, export_command, report_group
from condo.cli.mlit import mlit_group
from condo.cli.operations import schedule_command, status_command
from condo.cli.pages import explain_command, parse_command, reparse_command

for command in (
    parse_command,
    db_group,
    crawl_command,
    demo_command,
    report_group,
    export_command,
    browse_command,
    mlit_group,
    reparse_command,
    explain_command,
    archive_group,
    schedule_command,
    status_command,
):
    main.add_command(command)

__all__ = ["main", "schedule_command"]
