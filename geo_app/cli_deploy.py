"""``geo-app serve`` and ``geo-app backup``: running geo_app for an office."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo_app.cli_support import StoreOpt, cell
from geo_app.deploy.backup import backup_geopackage, backup_postgis
from geo_app.deploy.serve import DEFAULT_ADDRESS, DEFAULT_PORT, ServeOptions, exec_streamlit
from geo_app.errors import InputError
from geo_app.secrets import mask_url
from geo_app.settings import get_settings
from geo_app.storage import open_store
from geo_app.storage.init import is_database_url


def serve_cmd(
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = DEFAULT_PORT,
    address: Annotated[str, typer.Option(
        help="Address to listen on: 127.0.0.1 behind nginx (default), 0.0.0.0 for every "
             "interface.")] = DEFAULT_ADDRESS,
    store: StoreOpt = None,
    base_url_path: Annotated[str, typer.Option(
        "--base-url-path", help="Serve under this path, e.g. geo for https://host/geo/ "
                                "(the same path as nginx's location).")] = "",
) -> None:
    """Start the web app (headless, XSRF protection on, no usage statistics)."""
    from geo_app.maps.assets import verify_assets  # folium: only when serving

    settings = get_settings()
    options = ServeOptions(port=port, address=address, base_url_path=base_url_path,
                           store=store)
    verify_assets()
    opened = open_store(store or None, settings=settings)  # refuse a bad store before starting
    try:
        opened.list_layers()
        location = mask_url(opened.location)
    finally:
        opened.close()
    path = options.base_url_path.strip().strip("/")
    shown = "127.0.0.1" if address in ("0.0.0.0", "::") else address
    typer.echo(f"geo_app: store {cell(location)}; serving http://{cell(shown)}:{port}/"
               f"{cell(path) + '/' if path else ''} (Ctrl+C stops)", err=True)
    exec_streamlit(options, settings)


def backup_cmd(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (must not exist).")],
    store: StoreOpt = None,
) -> None:
    """Copy the store consistently while the app runs: GeoPackage or PostGIS (pg_dump)."""
    settings = get_settings()
    where = (store or settings.store or "").strip()
    if is_database_url(where):
        result = backup_postgis(where, out)
    else:
        source = Path(where).expanduser() if where else settings.workspace_path
        if not where and not source.is_file():
            raise InputError(f"There is no workspace yet at {source}: nothing to back up. "
                             "Give the GeoPackage with --store PATH.")
        result = backup_geopackage(source, out)
    typer.echo(f"backup written: {cell(str(result.out))} ({result.size_bytes / 1e6:.1f} MB, "
               f"{result.method}; {cell(result.check)})")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``backup`` to the ``geo-app`` command."""
    app.command("serve")(serve_cmd)
    app.command("backup")(backup_cmd)
