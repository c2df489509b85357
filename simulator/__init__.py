"""A simulated Tokyo condo market and a simulated SUUMO that renders it, for offline replays.

Everything here is SIMULATED: the buildings, flats, prices and trends are generated from a seed.
The market writes its ground truth to a file so that every number the crawl, the database and the
report produce can be checked against it.
"""
