"""One error hierarchy for everything a user can get wrong.

Every message says what is wrong and what to do; the CLI and the app print
``str(error)`` and never a traceback for these.
"""

from __future__ import annotations


class GeoAppError(Exception):
    """Base of every error geo_app raises on purpose."""


class InputError(GeoAppError):
    """A file, argument or value given by the user cannot be used."""


class CRSError(GeoAppError):
    """The coordinate reference system is missing, unknown or unsuitable."""


class SchemaError(GeoAppError):
    """A layer's columns or values do not match its specification."""


class StoreError(GeoAppError):
    """The layer store cannot be opened, read or written."""


class TransitionError(GeoAppError):
    """A parcel stage change is not allowed by the acquisition workflow."""


class ConflictError(StoreError):
    """Someone else changed the same record first (optimistic concurrency)."""


class AssetError(GeoAppError):
    """Map scripts or styles that must be served locally are missing or unknown."""
