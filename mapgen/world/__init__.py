"""Base layers and places for any region, built from packaged world data (``mapgen[world]``).

The sources are PyPI packages installed with the ``world`` extra: Natural Earth 1:10m
(countries, admin-1 lines, lakes), GSHHG/WDBII rivers and GeoNames cities500. What is built
from them for an extent is cached (see :mod:`mapgen.world.cache`).
"""
