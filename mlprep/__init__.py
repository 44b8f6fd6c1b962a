"""mlprep: prepare for machine-learning interviews.

The public surface is deliberately small; everything else is private and may change.
"""

import os

# mlprep uses no pydantic plugins; without this, pydantic scans every installed distribution's
# entry points when the first model is built, a cost paid on every start of the quiz.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")

from mlprep._errors import (  # noqa: E402
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
