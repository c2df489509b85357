"""The alarm: what needs a person's attention after a night, and telling them (Apprise).

``condo.alarm.attention`` reads the database (crawl verdicts, held removals, job outcomes, how long since a
trusted crawl); ``condo.alarm.notify`` sends a message through Apprise to the URLs in the configuration or
``CONDO_ALARM_URLS`` (e-mail, Slack, Telegram, webhooks). ``condo status`` and the scheduler stand on
both. docs/operations.md explains what fires and what to look at.
"""
