"""The search index: Pagefind, run at build time through its Python package.

``pagefind.service.get_executable`` prefers ``$PAGEFIND_BINARY_PATH``, then the
``pagefind_bin_extended`` package (the build that segments Chinese and Japanese text), then
``pagefind_bin``, then a binary on PATH. We require the extended one, because without it Chinese
pages are indexed as unsegmented runs of characters and most Chinese queries find nothing.
Pagefind reads ``<html lang>`` and writes one index per language, which its JS then picks by the
searching page's own ``lang``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from mlprep._errors import SiteError


def executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SiteError(
            "search needs the 'pagefind[extended]' package (or build with --no-search)"
        ) from None
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise SiteError("search needs the Pagefind binary: pip install 'pagefind[extended]'")
    if "extended" not in binary.name:
        raise SiteError(
            f"{binary} is not Pagefind's extended build, which Chinese search needs: "
            "pip install 'pagefind[extended]'"
        )
    return binary


# Pagefind also writes its ready-made UIs; the site uses its own search page on the JS API, so
# these are dropped (less to ship, and their credits hold URLs the offline check would flag).
_UNUSED = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


def index(site: Path) -> None:
    """Index every page marked ``data-pagefind-body`` under ``site`` into ``site/pagefind``."""
    executable()
    try:
        asyncio.run(_index(site))
    except SiteError:
        raise
    except Exception as exc:  # the service reports failures as bare Exceptions
        raise SiteError(f"search index failed: {exc}") from None
    for pattern in _UNUSED:
        for path in (site / "pagefind").glob(pattern):
            path.unlink()


async def _index(site: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(site / "pagefind"))
    async with PagefindIndex(config) as idx:
        result = await idx.add_directory(str(site))
        if not result.get("page_count"):
            raise SiteError("search index failed: Pagefind found no pages to index")
