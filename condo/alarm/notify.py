"""Send the alarm through Apprise (https://github.com/caronc/apprise): one message per occasion.

The URLs come from the scheduler configuration (``[alarm] urls = [...]``) and the environment
(``CONDO_ALARM_URLS``, separated by spaces or commas). Examples: ``mailtos://user:pass@example.com``,
``slack://T000/B000/XXXX``, ``tgram://bottoken/chatid``, ``json://monitor.example.com/hook``. The
message says what happened, where, and what to look at; it never carries a URL's credentials.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Sequence

from condo.alarm.attention import Attention

logger = logging.getLogger(__name__)

_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.I)


def redact(text: str) -> str:
    """Drop the user and password of any URL in ``text``.

    >>> redact("could not connect to postgresql+psycopg://condo:s3cret@db.example/condo")
    'could not connect to postgresql+psycopg://***@db.example/condo'
    """
    return _CREDENTIALS.sub(lambda m: f"{m.group('scheme')}***@", text)


def alarm_urls(configured: Sequence[str] = ()) -> list[str]:
    """The configured URLs and those of ``CONDO_ALARM_URLS``, in order, without repeats."""
    from_env = [u for u in re.split(r"[\s,]+", os.environ.get("CONDO_ALARM_URLS", "")) if u]
    return list(dict.fromkeys([*configured, *from_env]))


def compose(subject: str, items: Sequence[Attention]) -> tuple[str, str]:
    """Title and body of an alarm message."""
    title = f"condo-tracker needs attention: {subject} (host {socket.gethostname()})"
    lines = []
    for item in items:
        lines += [f"- {item.where}: {item.what}", f"  Look at: {item.look_at}"]
    lines.append("Run `condo status` on the crawl host for the whole picture; docs/operations.md explains each alarm.")
    return redact(title), redact("\n".join(lines))


def send(urls: Sequence[str], subject: str, items: Sequence[Attention]) -> bool:
    """Send one message about ``items`` to every URL; True when at least one service took it. Nothing
    is sent (and False returned) without URLs or items. A failure is logged, never raised: the alarm
    must not break the job it reports on."""
    if not urls or not items:
        return False
    import apprise

    title, body = compose(subject, items)
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            logger.error("Alarm URL not understood by Apprise: %s", redact(url))
    if not len(sender):
        return False
    try:
        ok = bool(sender.notify(title=title, body=body, notify_type=apprise.NotifyType.FAILURE))
    except Exception as error:  # an unreachable mail server must not fail the crawl job
        logger.error("Alarm not sent: %s", redact(str(error)))
        return False
    (logger.info if ok else logger.error)("Alarm %s: %s", "sent" if ok else "NOT sent", title)
    return ok
