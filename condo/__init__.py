"""The ``condo`` command line: a thin layer over the scraper, db and reports libraries."""
