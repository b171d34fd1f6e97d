"""``geo-app brief village|park|progress``: one-page briefs as PDF or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo_app.cli_support import StoreOpt, cell, parse_date
from geo_app.cli_support import lang as current_lang
from geo_app.storage import open_store

OutOpt = Annotated[Path, typer.Option(
    "--out", "-o", help="File to write: .pdf or .png (the format follows the extension).")]
SizeOpt = Annotated[str, typer.Option(
    "--size", help="Page: a4 (A4 landscape) or slide (16:9, a 1920×1080 PNG).")]


def _write(kind: str, out: Path, store: str | None, size: str, *, name: str | None = None,
           as_of: str | None = None) -> None:
    from geo_app.briefs import output_format, write_brief
    from geo_app.briefs.page import parse_page_size

    output_format(out)  # a bad extension is refused before the store is opened
    page_size = parse_page_size(size)
    day = parse_date(as_of) if as_of is not None else None
    opened = open_store(store)
    try:
        page = write_brief(opened, kind, out, name=name, as_of=day, lang=current_lang(),
                           size=page_size)
    finally:
        opened.close()
    typer.echo(f"{cell(out)}: {cell(page.title)}")


def register(app: typer.Typer) -> None:
    """Add the ``brief`` command group."""
    brief = typer.Typer(no_args_is_help=True,
                        help="One-page briefs (A4 or 16:9) as PDF or PNG: map, figures, table.")
    app.add_typer(brief, name="brief")

    @brief.command("village")
    def village(
        name: Annotated[str, typer.Argument(help="Village name (挑水村), English name or id.")],
        out: OutOpt,
        store: StoreOpt = None,
        size: SizeOpt = "a4",
    ) -> None:
        """A village: population, plan, area (mu), loop-road distance, neighbours."""
        _write("village", out, store, size, name=name)

    @brief.command("park")
    def park(
        name: Annotated[str, typer.Argument(help="Park or district name, English name or id.")],
        out: OutOpt,
        store: StoreOpt = None,
        size: SizeOpt = "a4",
    ) -> None:
        """A park: area, parcel coverage, parcels by stage, registered projects."""
        _write("park", out, store, size, name=name)

    @brief.command("progress")
    def progress(
        out: OutOpt,
        as_of: Annotated[str | None, typer.Option(
            "--as-of", help="Progress on this date (YYYY-MM-DD) from the stage history.")]
            = None,
        store: StoreOpt = None,
        size: SizeOpt = "a4",
    ) -> None:
        """Acquisition progress: net land against 1420 / 1700 mu, parcels by stage."""
        _write("progress", out, store, size, as_of=as_of)
