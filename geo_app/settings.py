"""Typed settings, read from the environment (prefix ``GEO_APP_``) at call time."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_LAYERS = PROJECT_ROOT / "layers" / "suizhou.gpkg"


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "geo-app"


class Settings(BaseSettings):
    """What can be configured; every field maps to ``GEO_APP_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="GEO_APP_", extra="ignore")

    #: A GeoPackage path or a ``postgresql://`` URL. Empty: the workspace GeoPackage.
    store: str = ""
    #: Where the workspace GeoPackage lives when ``store`` is empty.
    home: Path = _default_home()
    #: The bundled sample layers the workspace is created from.
    bundled_layers: Path = BUNDLED_LAYERS
    #: Tianditu key for the Tianditu basemap; never committed.
    tianditu_key: str = ""
    #: Largest file the app accepts as an upload, in MB (``GEO_APP_MAX_UPLOAD_MB``).
    max_upload_mb: float = 500.0
    #: Largest total a zip may expand to, in MB (``GEO_APP_MAX_UNZIPPED_MB``).
    max_unzipped_mb: float = 2000.0
    #: Most members a zip may hold (``GEO_APP_MAX_ZIP_MEMBERS``).
    max_zip_members: int = 10000

    @property
    def workspace_path(self) -> Path:
        return self.home / "workspace.gpkg"


def get_settings() -> Settings:
    """Build settings now, from the current environment (never cached at import)."""
    return Settings()
