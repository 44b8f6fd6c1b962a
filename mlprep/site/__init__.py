"""The static study site: ``build_site`` writes it, ``serve`` previews it and rebuilds on change."""

from mlprep.site._build import BuildResult, SiteContentError, build_site
from mlprep.site._serve import serve

__all__ = ["BuildResult", "SiteContentError", "build_site", "serve"]
