"""The two baselines the benchmark's ratios are measured against (bench/README.md).

B0 is a plain Django view that runs ``SELECT 1`` and returns a small JSON body; B1 is a DRF
view behind the project's bearer-token authentication that returns ``{}``, the floor cost of
any authenticated request. Both run through the project's full settings (middleware, logging,
database and cache configuration): only the URLconf differs.
"""
