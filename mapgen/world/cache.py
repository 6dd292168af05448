"""Where built world data is cached: ``$MAPGEN_CACHE_DIR`` or the user's cache folder."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import platformdirs

ENV_VAR = "MAPGEN_CACHE_DIR"


def cache_root() -> Path:
    """The cache folder (not created here)."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else Path(platformdirs.user_cache_dir("mapgen"))


def cache_key(**parts: object) -> str:
    """A short stable key for a JSON-able description (extent, source versions, format)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
