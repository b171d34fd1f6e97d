"""``geo-app present``: check a storyboard, or export it as one offline HTML file or a PDF."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from geo_app.cli_support import StoreOpt, cell, note
from geo_app.cli_support import lang as current_lang
from geo_app.errors import InputError

FORMATS = (".html", ".pdf")


def resolve_storyboard(name: str) -> Path:
    """A storyboard file by path, else a bundled one by name (``zone`` or ``zone.toml``)."""
    from geo_app.present import bundled_storyboards

    path = Path(name)
    if path.is_file():
        return path
    bundled = bundled_storyboards()
    key = name if name.endswith(".toml") else f"{name}.toml"
    if key in bundled and path.parent == Path("."):
        return bundled[key]
    raise InputError(f"No storyboard file {cell(name)!r}; give a path to a .toml file or a "
                     f"bundled storyboard ({', '.join(bundled) or 'none'}).")


def present_file(storyboard: str, out: Path | None, *, store: str | None, check: bool,
                 lang: str) -> str:
    """Check ``storyboard`` against the store, then (unless ``check``) write ``out``;
    return what was done, in one line."""
    from geo_app.present import check_storyboard, export_deck_html, load_story_data
    from geo_app.present import load_storyboard as read_board

    if not check:
        if out is None:
            raise InputError("Say where to write the deck: --out deck.html (or deck.pdf); "
                             "or validate only with --check.")
        if out.suffix.lower() not in FORMATS:
            raise InputError(f"Cannot write a deck to {cell(out.name)!r}: end the file name "
                             "in .html or .pdf.")
    path = resolve_storyboard(storyboard)
    board = read_board(path)
    data = load_story_data(store)
    check_storyboard(board, data, lang=lang)
    count = len(board.slides)
    if check or out is None:
        return f"{cell(path.name)}: {count} slides, every figure and table computed: OK"
    if out.suffix.lower() == ".pdf":
        from geo_app.present.pdf import export_deck_pdf

        export_deck_pdf(board, data, out, lang=lang)
    else:
        _write_text_atomic(out, export_deck_html(board, data, lang=lang))
    return f"{cell(out)}: {count} slides ({cell(board.title)})"


def _write_text_atomic(out: Path, text: str) -> None:
    if not out.parent.is_dir():
        raise InputError(f"The folder {cell(out.parent)} does not exist; create it first.")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(app: typer.Typer) -> None:
    """Add the ``present`` command."""

    @app.command("present")
    def present(
        storyboard: Annotated[str, typer.Argument(
            help="Storyboard TOML file, or a bundled one by name (zone.toml).")],
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="deck.html (one offline file) or deck.pdf (16:9 pages).")]
            = None,
        check: Annotated[bool, typer.Option(
            "--check", help="Only validate the storyboard against the store; write nothing.")]
            = False,
        store: StoreOpt = None,
    ) -> None:
        """A meeting deck from a storyboard: slides with map, figures, table and notes."""
        done = present_file(storyboard, out, store=store, check=check, lang=current_lang())
        if out is not None and check:
            note("--check given: nothing written")
        typer.echo(done)
