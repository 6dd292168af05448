"""Renderers: each reads a :class:`mapgen.territory.Territory`; none imports another."""
