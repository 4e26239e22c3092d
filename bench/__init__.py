"""MetriQR's speed benchmark: a seeded transaction generator (`bench.generate`) and a runner
(`bench.run`, also `python -m bench`) that times every stage in fresh processes, side by side
with the libraries people would otherwise use. See bench/README.md.
"""
