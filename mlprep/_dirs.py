"""Where mlprep keeps its files: the cache (rebuildable) and the user's data (progress).

``MLPREP_CACHE_DIR`` / ``MLPREP_NO_CACHE`` and ``MLPREP_DB`` override the platform's defaults
(platformdirs: ``~/.cache/mlprep`` and ``~/.local/share/mlprep`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

# one file for everything derived from the bank: validated entries (the loader) and parsed
# Markdown (the terminal renderer); deleting it costs only time
CONTENT_CACHE = "content-cache.sqlite3"


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is switched off (``MLPREP_NO_CACHE``)."""
    if os.environ.get("MLPREP_NO_CACHE"):
        return None
    base = os.environ.get("MLPREP_CACHE_DIR")
    if base is None:
        import platformdirs

        base = platformdirs.user_cache_dir("mlprep")
    return Path(base)


def open_content_cache(schema: str) -> sqlite3.Connection | None:
    """The content cache database with ``schema`` (``CREATE ... IF NOT EXISTS``) applied, or None
    when caching is off or the file cannot be used: a cache failure costs speed, nothing else."""
    import sqlite3

    base = cache_dir()
    if base is None:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(base / CONTENT_CACHE, timeout=2)
        db.execute(schema)
    except (OSError, sqlite3.Error):
        return None
    return db


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mlprep"))
