"""Project exceptions.

One base class so callers (the app, the command line) can turn any of our errors into a
sentence for the user; each subclass also inherits the matching built-in so ordinary
``except ValueError`` code keeps working.
"""

from __future__ import annotations


class DiabanError(Exception):
    """Base class of every error this project raises on purpose."""


class ConfigurationError(DiabanError, RuntimeError):
    """A setting is missing or wrong; the message names the variable to set."""


class DatasetMissingError(ConfigurationError, FileNotFoundError):
    """A registered dataset file is not in the data directory."""


class ChecksumMismatchError(DiabanError, ValueError):
    """A dataset file is not the one the registry knows (altered, truncated or replaced)."""


class DatasetCorruptError(DiabanError, ValueError):
    """A dataset file has the right name but cannot be read."""


class BoundaryValidationError(DiabanError, ValueError):
    """Boundary data fail a check that must hold before anything is written."""


class DatabaseSetupError(DiabanError, RuntimeError):
    """The embedded PostgreSQL/PostGIS cluster could not be installed or started."""


class InvalidArgumentError(DiabanError, ValueError):
    """A function argument is out of range or of the wrong form."""
