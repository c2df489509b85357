"""SUUMO page parsers: pure functions from HTML (a parsel Selector) to items.

Spiders call these; so do ``condo parse`` and the tests. Nothing here touches the network.
"""
