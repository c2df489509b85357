"""Normalisers for the Japanese text found on listing sites.

Every public ``parse_*`` function takes site text (or ``None``) and returns a value or ``None``.
None of them raises on site text: text they cannot read gives ``None``, and the caller counts it
(see :mod:`scraper.parsing.fieldlog`).
"""
