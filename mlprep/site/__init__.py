"""The static study site: ``build_site`` writes it, ``serve`` previews it and rebuilds on change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlprep.site._build import BuildResult, SiteContentError, build_site

if TYPE_CHECKING:
    from mlprep.site._serve import serve

__all__ = ["BuildResult", "SiteContentError", "build_site", "serve"]


def __getattr__(name: str) -> Any:
    # serve pulls in http.server (~20 ms), which a build never needs
    if name == "serve":
        from mlprep.site._serve import serve

        return serve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
