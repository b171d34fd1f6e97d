"""``geo-app stage import FILE``: a spreadsheet of stage changes recorded in one transaction.

A thin command over :func:`geo_app.storage.events.record_stage_changes` (vectorised
workflow checks, one bulk insert, all or nothing). Added to the ``stage`` command group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from geo_app.cli_support import JsonOpt, StoreOpt, cell, emit
from geo_app.errors import InputError
from geo_app.secrets import mask_url
from geo_app.storage import open_store
from geo_app.storage.events import record_stage_changes

#: Columns of the spreadsheet (``from_stage`` and ``expected_version`` optional).
REQUIRED = ("parcel_id", "to_stage", "effective_date", "officer")
OPTIONAL = ("from_stage", "note", "evidence", "correction_reason", "expected_version")


def read_changes(file: Path) -> tuple[pd.DataFrame, dict[str, int] | None]:
    """The changes of a ``.csv`` (UTF-8) or ``.xlsx`` file, in row order, as text, and the
    expected versions (``expected_version`` of each parcel's first row) if given."""
    suffix = file.suffix.lower()
    if not file.is_file():
        raise InputError(f"No file {file}. Give the path of a .csv or .xlsx of stage changes.")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame = pd.read_excel(file, dtype=str, keep_default_na=False)
        else:
            raise InputError(f"{file.name} is neither .csv nor .xlsx; save the changes as one "
                             "of them.")
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputError(f"Cannot read {file.name} ({exc}). Save it as UTF-8 CSV or as "
                         ".xlsx.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"{file.name} lacks the column(s) {', '.join(missing)}; the columns "
                         f"are {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}.")
    frame = frame.astype(object).where(frame != "", None)
    versions = None
    if "expected_version" in frame.columns:
        first = frame.drop_duplicates("parcel_id")
        try:
            versions = {str(p): int(v) for p, v in zip(first["parcel_id"],
                                                        first["expected_version"], strict=True)}
        except (TypeError, ValueError):
            raise InputError("Every parcel's first row needs its expected_version (the "
                             "number of events you saw), a whole number.") from None
    frame["is_correction"] = frame["correction_reason"].notna() if (
        "correction_reason" in frame.columns) else False
    keep = [c for c in (*REQUIRED, *OPTIONAL, "is_correction")
            if c in frame.columns and c != "expected_version"]
    return frame[keep], versions


def stage_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx with one stage change per "
                                              "row: parcel_id, to_stage, effective_date, "
                                              "officer [, note, evidence, correction_reason, "
                                              "from_stage, expected_version].")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a spreadsheet of stage changes at once (checked like single changes; all or
    nothing). A row with a correction_reason is a correction."""
    changes, versions = read_changes(file)
    st = open_store(store)
    try:
        outcome = record_stage_changes(st, changes, expected_versions=versions)
    finally:
        st.close()
    if as_json:
        emit({"store": mask_url(st.location), "events": outcome.events,
              "parcels": outcome.parcels, "recorded_at": outcome.recorded_at})
        return
    typer.echo(f"recorded {outcome.events} stage changes of {outcome.parcels} parcel(s) from "
               f"{cell(file.name)} at {outcome.recorded_at}")


def register(app: typer.Typer) -> None:
    """Add ``import`` to the ``stage`` command group (made here if the app has none)."""
    group = next((g.typer_instance for g in app.registered_groups
                  if g.name == "stage" and g.typer_instance is not None), None)
    if group is None:
        group = typer.Typer(no_args_is_help=True, help="Record parcel stage changes.")
        app.add_typer(group, name="stage")
    group.command("import")(stage_import)
