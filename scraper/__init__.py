"""Scrapy project of tokyo-condo-tracker: spiders, items, pipelines and the parsers they use."""
