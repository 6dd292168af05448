"""Optional dependencies, imported when a feature needs them, with the line that installs them."""

from __future__ import annotations

import importlib
from types import ModuleType


def import_optional(name: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``name``, or ImportError saying which ``mapgen[extra]`` brings it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{feature} needs the optional package {name!r}, which is not installed; "
            f"install it with: pip install 'mapgen[{extra}]'"
        ) from exc
