"""The boundary build behind ``tools/build_boundaries.py``, one module per layer.

``common`` (region, tolerances, towns, layers, geometry helpers) and ``sources`` (the
pinned wheels and reading them) serve the layers: ``countries`` (and the countries +
governorates coverage), ``divisions`` (governorates), ``rivers`` (with ``paths``, the
shortest paths they are traced on) and ``lakes``; then ``checks``, ``output`` and
``preview``.
"""
