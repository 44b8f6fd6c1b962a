"""Where mlprep keeps its files: the cache (rebuildable) and the user's data (progress).

``MLPREP_CACHE_DIR`` / ``MLPREP_NO_CACHE`` and ``MLPREP_DB`` override the platform's defaults
(platformdirs: ``~/.cache/mlprep`` and ``~/.local/share/mlprep`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is switched off (``MLPREP_NO_CACHE``)."""
    if os.environ.get("MLPREP_NO_CACHE"):
        return None
    base = os.environ.get("MLPREP_CACHE_DIR")
    if base is None:
        import platformdirs

        base = platformdirs.user_cache_dir("mlprep")
    return Path(base)


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mlprep"))
