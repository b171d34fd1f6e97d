"""Typed settings, read from the environment (prefix ``GEO_APP_``) at call time."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo_app.errors import InputError
from geo_app.secrets import MASK, is_secret_name, mask_url

#: The installed package (``geo_app/``): its data files live here in a checkout and a wheel.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository root in a checkout; in an installed wheel, site-packages (nothing of ours).
PROJECT_ROOT = PACKAGE_DIR.parent
#: The sample layers inside the package (a link to ``layers/suizhou.gpkg`` in the
#: repository, a real file in the wheel).
PACKAGED_LAYERS = PACKAGE_DIR / "data" / "suizhou.gpkg"


def _bundled_layers() -> Path:
    """``layers/suizhou.gpkg`` of a checkout (what ``make layers`` writes), else the wheel's."""
    checkout = PROJECT_ROOT / "layers" / "suizhou.gpkg"
    return checkout if checkout.is_file() else PACKAGED_LAYERS


BUNDLED_LAYERS = _bundled_layers()


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
        return self.home.expanduser() / "workspace.gpkg"


def get_settings() -> Settings:
    """Build settings now, from the current environment (never cached at import).

    Raises
    ------
    InputError
        A ``GEO_APP_*`` variable has a value of the wrong kind (one sentence per
        variable, naming it; a secret's value is never repeated).
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise InputError(" ".join(_describe(error) for error in exc.errors())) from None


def _describe(error: object) -> str:
    info = dict(error)  # type: ignore[call-overload]
    field = str(info.get("loc", ("?",))[0])
    variable = f"GEO_APP_{field.upper()}"
    value = str(info.get("input", ""))
    shown = MASK if is_secret_name(field) else mask_url(value)
    return (f"The environment variable {variable}={shown!r} is not valid "
            f"({info.get('msg', 'wrong kind of value')}). Fix it, or unset it to use the "
            "default.")
