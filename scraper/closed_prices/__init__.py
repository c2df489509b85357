"""Closed prices: MLIT's transaction and contract prices of used condos per municipality and quarter
(the XIT001 API of the Real Estate Information Library), beside the asking prices the crawl collects.

``records`` normalises a record, ``importer`` loads responses into ``closed_prices`` (idempotently,
all or nothing), ``client`` fetches them from the API (the key from ``CONDO_MLIT_API_KEY``, never
logged or stored). Source: MLIT; MLIT does not guarantee the data's currency or accuracy.
"""
