"""``geo-app`` command line: thin commands over the library."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import typer

from geo_app.analysis.coverage import coverage
from geo_app.analysis.crs import choose_plane_crs, ensure_crs
from geo_app.analysis.progress import at_stages, progress
from geo_app.analysis.proximity import nearest, within_distance
from geo_app.analysis.report import area_report, progress_report
from geo_app.domain.stages import parse_stage
from geo_app.errors import GeoAppError, InputError
from geo_app.io.excel import write_progress_excel
from geo_app.io.vector import read_vector
from geo_app.storage import LayerStore, open_store
from geo_app.storage.events import record_stage_change

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Suizhou High-tech Zone planning: layers, areas, coverage, progress.")

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", envvar="GEO_APP_STORE",
                 help="GeoPackage path or postgresql:// URL (default: the workspace)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _json_safe(value: Any) -> Any:
    """NaN and ±inf are not JSON: emit them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(_json_safe(data), ensure_ascii=False, indent=2, default=str,
                          allow_nan=False))


def _note(text: str) -> None:
    typer.echo(f"note: {text}", err=True)


def _load(store: LayerStore, source: str, layer: str | None, source_crs: str | None
          ) -> gpd.GeoDataFrame:
    """A layer of the store by name, or any vector file."""
    names = {info.name for info in store.list_layers()}
    if source in names and layer is None:
        return store.read_layer(source)
    if not Path(source).exists():
        raise InputError(
            f"'{source}' is neither a layer in the store ({', '.join(sorted(names))}) nor a "
            "file. Check the name or the path."
        )
    gdf, inferred = ensure_crs(read_vector(source, layer=layer), source_crs=source_crs)
    if inferred:
        _note(inferred)
    return gdf


@app.command("layers")
def layers_cmd(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List the layers in the store with their feature counts and CRS."""
    st = open_store(store)
    infos = st.list_layers()
    if as_json:
        _emit({"store": st.location, "layers": [vars(i) for i in infos]})
        return
    typer.echo(f"store: {st.location}")
    for info in infos:
        typer.echo(
            f"  {info.name:<12} {info.feature_count:>6}  {info.geometry_type:<16} {info.crs}"
        )


@app.command("area")
def area_cmd(
    source: Annotated[str, typer.Argument(help="A layer in the store, or a vector file.")],
    layer: Annotated[str | None, typer.Option(help="Layer inside a multi-layer file.")] = None,
    by: Annotated[str | None, typer.Option(help="Field to total areas by.")] = None,
    crs: Annotated[str | None, typer.Option(help="Plane CRS for areas (default: GK zone).")
                   ] = None,
    source_crs: Annotated[str | None, typer.Option(help="CRS of a file that has none.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Areas in m², mu and ha, on the GK plane and on the ellipsoid."""
    gdf = _load(open_store(store), source, layer, source_crs)
    plane = choose_plane_crs(gdf, override=crs)
    report = area_report(gdf, by=by, plane=plane, what=f"'{source}'")
    if as_json:
        _emit(report)
        return
    typer.echo(f"plane CRS {report['crs_plane']}: {report['crs_reason']}")
    typer.echo(f"{'id':<10} {'name':<16} {'mu (plane)':>12} {'mu (ellipsoid)':>15} {'ha':>10}")
    for f in report["features"]:
        typer.echo(f"{f['id']!s:<10} {f['name']!s:<16} {f['area_mu_plane']:>12.2f} "
                   f"{f['area_mu_ellipsoidal']:>15.2f} {f['area_ha_plane']:>10.2f}")
    for g in report.get("groups", []):
        typer.echo(
            f"{by}={g['value']!s:<20} {g['count']:>4} features {g['area_mu_plane']:>12.2f} mu"
        )
    t = report["total"]
    typer.echo(f"total {t['count']} features: {t['area_mu_plane']:.2f} mu plane, "
               f"{t['area_mu_ellipsoidal']:.2f} mu ellipsoidal, {t['area_ha_plane']:.2f} ha")


@app.command("coverage")
def coverage_cmd(
    of: Annotated[str, typer.Option("--of", help="Layer whose polygons are covered (parks).")],
    by: Annotated[str, typer.Option("--by", help="Covering layer (parcels).")],
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="Only covering features at these stages (repeatable).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Area and share of each polygon covered by another layer (overlaps counted once)."""
    st = open_store(store)
    target, cover = st.read_layer(of), st.read_layer(by)
    if status:
        cover = at_stages(cover, status, layer=by)
    plane = choose_plane_crs(target)
    table = coverage(target, cover, plane=plane, of_name=f"'{of}'", by_name=f"'{by}'")
    if as_json:
        _emit({"crs_plane": plane.name, "of": of, "by": by, "status": status or None,
               "features": table.to_dict(orient="records")})
        return
    for row in table.itertuples():
        typer.echo(f"{row.name!s:<14} {row.covered_mu_plane:>10.2f} / {row.area_mu_plane:>10.2f} mu"
                   f"  {row.share_covered:6.1%}")


@app.command("proximity")
def proximity_cmd(
    features: Annotated[str, typer.Option("--features", help="Layer to test (villages).")],
    of: Annotated[str, typer.Option("--of", help="Reference layer (roads, facilities).")],
    within_m: Annotated[float | None, typer.Option(
        "--within", help="Keep features within this many metres; otherwise list nearest.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Features within a distance of another layer, or each feature's nearest one."""
    st = open_store(store)
    left, right = st.read_layer(features), st.read_layer(of)
    if len(right) == 0:
        raise InputError(f"Layer '{of}' is empty: there is nothing to measure distances to.")
    plane = choose_plane_crs(left)
    if within_m is not None:
        if not math.isfinite(within_m) or within_m < 0:
            raise InputError("--within must be a distance in metres, 0 or more.")
        table = within_distance(left, right, distance_m=within_m, plane=plane)
    else:
        table = nearest(left, right, plane=plane)
    rows = table[["id", "name", "nearest_id", "nearest_name", "distance_m"]]
    if as_json:
        _emit({"crs_plane": plane.name, "within_m": within_m, "count": len(rows),
               "features": rows.to_dict(orient="records")})
        return
    for r in rows.itertuples():
        typer.echo(f"{r.name!s:<10} → {r.nearest_name!s:<16} {r.distance_m:>9.1f} m")
    typer.echo(f"{len(rows)} feature(s)")


@app.command("progress")
def progress_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Acquisition progress per phase against the 1420 / 1700 mu targets."""
    st = open_store(store)
    day = _parse_date(as_of) if as_of else None
    parcels = st.read_layer("parcels")
    phases = progress(parcels, as_of=day, events=st.read_events() if day else None)
    report = progress_report(phases, as_of=day.isoformat() if day else None)
    if as_json:
        _emit(report)
        return
    typer.echo(f"as of {report['as_of'] or 'now'}")
    for p in phases:
        share = f"{p.share_net_land:.1%}" if p.share_net_land is not None else "-"
        typer.echo(f"phase {p.phase}: {p.net_land_mu:.2f} mu net land of target "
                   f"{p.target_mu} ({share}); {p.total_mu:.2f} mu in {p.parcel_count} parcels")
        for stage, mu in p.by_stage_mu.items():
            typer.echo(f"    {stage:<20} {mu:10.2f} mu")


stage_app = typer.Typer(no_args_is_help=True, help="Record parcel stage changes (征地阶段).")
events_app = typer.Typer(no_args_is_help=True, help="The stage-event log.")
app.add_typer(stage_app, name="stage")
app.add_typer(events_app, name="events")


@stage_app.command("set")
def stage_set_cmd(
    parcel: Annotated[str, typer.Argument(help="Parcel id, e.g. QC2-05.")],
    stage: Annotated[str, typer.Argument(help="New stage: code, Chinese or English name.")],
    date: Annotated[str, typer.Option("--date", help="Effective date YYYY-MM-DD.")],
    officer: Annotated[str, typer.Option("--officer", help="Who records the change.")],
    note: Annotated[str, typer.Option("--note", help="Free-text note.")] = "",
    evidence: Annotated[str | None, typer.Option(
        "--evidence", help="Document number or file name backing the change.")] = None,
    correction: Annotated[bool, typer.Option(
        "--correction", help="Record a correction (any stage), with --reason.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the correction.")] = None,
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="The parcel version you saw; refused if it changed since.")
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one stage change of one parcel (one step forward, or a correction)."""
    if reason is not None and not correction:
        raise InputError("--reason goes with --correction; add --correction or drop --reason.")
    st = open_store(store)
    recorded = record_stage_change(
        st, parcel, parse_stage(stage), effective_date=_parse_date(date), officer=officer,
        note=note, evidence=evidence, correction_reason=(reason or "") if correction else None,
        expected_version=expect_version,
    )
    event = recorded.to_dict(orient="records")[0]
    version = st.parcel_version(parcel)
    if as_json:
        _emit({"store": st.location, "version": version, "event": event})
        return
    kind = "correction" if event["is_correction"] else "event"
    typer.echo(f"recorded {kind} {event['event_id']}: {parcel} {event['from_stage'] or '-'} → "
               f"{event['to_stage']} effective {event['effective_date']} by {event['officer']}"
               f" (parcel version {version})")


@app.command("history")
def history_cmd(
    parcel: Annotated[str, typer.Argument(help="Parcel id, e.g. QC2-05.")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A parcel's stage history (oldest first), current stage and version."""
    st = open_store(store)
    events = st.read_events(parcel)
    if len(events) == 0:
        ids = set(st.read_layer("parcels")["id"])
        if parcel not in ids:
            raise InputError(f"No parcel '{parcel}' in the parcels layer. Check the id.")
    current = st.current_stages()
    row = current[current["parcel_id"] == parcel]
    stage = row["stage"].iloc[0] if len(row) else None
    stage_date = row["stage_date"].iloc[0] if len(row) else None
    if as_json:
        _emit({"parcel_id": parcel, "stage": stage, "stage_date": stage_date,
               "version": len(events), "events": events.to_dict(orient="records")})
        return
    typer.echo(f"{parcel}: {stage or 'no stage yet'}"
               f"{f' since {stage_date}' if stage_date else ''}, version {len(events)}")
    for e in events.itertuples():
        mark = f"  correction: {e.correction_reason}" if e.is_correction else ""
        typer.echo(f"  {e.effective_date}  {e.from_stage or '-':<19} → {e.to_stage:<19} "
                   f"{e.officer}  {e.evidence or ''}  (#{e.event_id}, {e.recorded_at}){mark}")


@events_app.command("export")
def events_export_cmd(
    file: Annotated[Path, typer.Argument(help="Excel file to write (.xlsx).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Progress as of YYYY-MM-DD.")
                     ] = None,
    store: StoreOpt = None,
) -> None:
    """Export progress per phase and the event log to an Excel workbook."""
    st = open_store(store)
    day = _parse_date(as_of) if as_of else None
    events = st.read_events()
    phases = progress(st.read_layer("parcels"), as_of=day, events=events if day else None)
    shown = events[events["effective_date"] <= day.isoformat()] if day else events
    out = write_progress_excel(file, phases, shown, as_of=day)
    typer.echo(f"wrote {out}: {len(phases)} phases, {len(shown)} events")


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"'{text}' is not a date; write it as YYYY-MM-DD.") from None


def _usage_error_types() -> tuple[type[Exception], ...]:
    """Usage errors (missing option, bad value): typer ≥ 0.20 vendors click, older uses click."""
    from click.exceptions import ClickException

    vendored = getattr(typer, "TyperException", None)
    return (ClickException,) + ((vendored,) if vendored is not None else ())


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except GeoAppError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except _usage_error_types() as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `geo-app` / `geo-app stage`
            exc.show()  # type: ignore[attr-defined]
        else:
            message = exc.format_message()  # type: ignore[attr-defined]
            typer.echo(f"error: {' '.join(message.split())}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
