"""mlprep: prepare for machine-learning interviews.

The public surface is deliberately small; everything else is private and may change.
"""

from mlprep._errors import (
    ContentError,
    GradingError,
    MlprepError,
    NotFoundError,
    ProgressError,
    SiteError,
)

__version__ = "0.1.0"

__all__ = [
    "ContentError",
    "GradingError",
    "MlprepError",
    "NotFoundError",
    "ProgressError",
    "SiteError",
    "__version__",
]
