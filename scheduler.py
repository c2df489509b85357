"""The scheduler: ``python scheduler.py [--config FILE] [--list | --run JOB]`` (same as ``condo schedule``).

See docs/operations.md for running it under systemd or from cron.
"""

from condo.cli.operations import schedule_command

if __name__ == "__main__":
    schedule_command()
