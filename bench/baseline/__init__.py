"""The baselines the benchmark's ratios are measured against (bench/README.md).

B00 is a bare Django view served without middleware or logging (``floor_settings``,
``floor_wsgi``): the floor of any Django request on this machine. B0 is a plain Django view
that runs ``SELECT 1`` and returns a small JSON body; B1 is a DRF view behind the project's
bearer-token authentication that returns ``{}``, the floor cost of any authenticated request.
B0 and B1 run through the project's full settings (middleware, logging, database and cache
configuration): only the URLconf differs.
"""
