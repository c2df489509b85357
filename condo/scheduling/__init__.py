"""Unattended operation: the nightly crawl, the weekly report, maintenance and MLIT's closed prices on a
schedule (APScheduler 3, Asia/Tokyo), with a persistent job store, locks, retries and a record of every
run. ``config`` reads the configuration, ``jobs`` are the work, ``runs`` runs a job and records it,
``serving`` is the scheduler. ``scheduler.py`` and ``condo schedule`` are thin layers over them."""
