"""``geo-app`` command line: thin commands over the library."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer

from geo_app import cli_brief, cli_deploy, cli_ledger, cli_present, cli_terrain
from geo_app.analysis.crs import (
    CRSSource,
    choose_plane_crs,
    plane_from_override,
)
from geo_app.analysis.geometry_checks import GeometryCheck
from geo_app.analysis.proximity import nearest, within_distance
from geo_app.analysis.report import area_report, progress_report
from geo_app.cli_support import JsonOpt, StoreOpt, set_lang
from geo_app.cli_support import cell as _cell
from geo_app.cli_support import emit as _emit
from geo_app.cli_support import lang as _lang
from geo_app.cli_support import note as _note
from geo_app.cli_support import parse_date as _parse_date
from geo_app.domain.messages import refusal, render
from geo_app.domain.stages import parse_stage
from geo_app.errors import GeoAppError, InputError
from geo_app.io.excel import write_progress_excel
from geo_app.io.export import parse_format
from geo_app.io.fields import FieldMapping, column_for, parse_field_map
from geo_app.secrets import mask_url
from geo_app.storage import init_store, open_store
from geo_app.storage.base import ImportMode, LayerStore
from geo_app.storage.events import record_stage_change
from geo_app.storage.roles import grant_role, revoke_role
from geo_app.transfer.export import export_layer
from geo_app.transfer.importer import (
    ImportOptions,
    ImportReport,
    import_file,
    parse_constants,
)
from geo_app.transfer.load import load_file
from geo_app.usecases.store_analysis import (
    area_report_of_layer,
    coverage_of_layers,
    progress_of_store,
)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Suizhou High-tech Zone planning: layers, areas, coverage, progress.")

@app.callback()
def _options(
    lang: Annotated[str | None, typer.Option(
        "--lang", envvar="GEO_APP_LANG",
        help="Language of messages: zh or en (default: from the locale, LANG).")] = None,
) -> None:
    """Suizhou High-tech Zone planning: layers, areas, coverage, progress."""
    if lang is not None:
        set_lang(lang)


EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="Text encoding of the file (utf-8, gbk); default: detected and said.")]
GcjOpt = Annotated[bool, typer.Option(
    "--gcj02", help="The file is in GCJ-02 (Amap/奥维 exports): convert to WGS 84 first.")]
MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", help="Map a file field to a layer field: SRC=TARGET (repeatable).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Refuse invalid geometry instead of repairing it.")]


@dataclass(frozen=True)
class _Loaded:
    gdf: gpd.GeoDataFrame
    crs_source: CRSSource | None
    check: GeometryCheck | None
    fields: list[FieldMapping] = field(default_factory=list)


def _load(store_location: str | None, source: str, *, layer: str | None = None,
          source_crs: str | None = None, encoding: str | None = None, gcj02: bool = False,
          field_map: list[str] | None = None, strict: bool = False) -> _Loaded:
    """A layer of the store by name, or any file geo_app reads (how it was read is said)."""
    path = Path(source)
    store = _store_of_layer(store_location, source, layer=layer)
    if store is not None:
        return _Loaded(store.read_layer(source), None, None)
    loaded = load_file(path, layer=layer, encoding=encoding,
                       field_map=parse_field_map(field_map or []), crs=source_crs, gcj02=gcj02,
                       strict=strict, crs_flag="--source-crs")
    result = loaded.read
    _note(f"read {result.source} as {result.format}"
          + (f", encoding {result.encoding} ({result.encoding_reason})"
             if result.encoding else ""))
    for text in result.notes:
        _note(text)
    for m in loaded.fields:
        _note(f"field {m.source} → {m.target} ({m.reason})")
    _note(f"coordinates read as {loaded.crs_source.crs}: {loaded.crs_source.reason}")
    for text in loaded.crs_source.notes:
        _note(text)
    errors = [i for i in loaded.check.issues if str(i.severity) == "error"]
    if strict and errors:
        raise InputError(f"--strict: {source} has invalid geometry (feature "
                         f"{errors[0].position + 1}: {errors[0].message}). Repair it or drop "
                         "--strict.")
    return _Loaded(loaded.gdf, loaded.crs_source, loaded.check, loaded.fields)


def _store_of_layer(store_location: str | None, source: str, *, layer: str | None = None
                    ) -> LayerStore | None:
    """The store when ``source`` names one of its layers; ``None`` when it is a file."""
    if Path(source).exists():
        return None
    store = open_store(store_location)
    names = {info.name for info in store.list_layers()}
    if source in names and layer is None:
        return store
    raise InputError(
        f"'{source}' is neither a layer in the store ({', '.join(sorted(names))}) nor a "
        "file. Check the name or the path."
    )


@app.command("layers")
def layers_cmd(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List the layers in the store with their feature counts and CRS."""
    st = open_store(store)
    infos = st.list_layers()
    if as_json:
        _emit({"store": mask_url(st.location), "layers": [vars(i) for i in infos]})
        return
    typer.echo(f"store: {mask_url(st.location)}")
    for info in infos:
        typer.echo(
            f"  {info.name:<12} {info.feature_count:>6}  {info.geometry_type:<16} {info.crs}"
        )


@app.command("area")
def area_cmd(
    source: Annotated[str, typer.Argument(help="A layer in the store, or a file.")],
    layer: Annotated[str | None, typer.Option(
        help="Layer inside a multi-layer file (or a member of a .zip).")] = None,
    by: Annotated[str | None, typer.Option(help="Field to total areas by.")] = None,
    crs: Annotated[str | None, typer.Option(
        help="One plane CRS for all areas (default: each feature in its own 3° GK zone).")
    ] = None,
    source_crs: Annotated[str | None, typer.Option(
        help="CRS of the file's coordinates (default: the file's, else inferred).")] = None,
    encoding: EncodingOpt = None,
    gcj02: GcjOpt = False,
    field_map: MapOpt = None,
    strict: StrictOpt = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Areas in m², mu and ha, on the GK plane and on the ellipsoid."""
    st = _store_of_layer(store, source, layer=layer)
    if st is not None:  # the store chooses the path (SQL on PostGIS)
        plane = plane_from_override(crs) if crs else None
        report = area_report_of_layer(st, source, by=by, plane=plane, strict=strict)
    else:
        loaded = _load(store, source, layer=layer, source_crs=source_crs, encoding=encoding,
                       gcj02=gcj02, field_map=field_map, strict=strict)
        plane = plane_from_override(crs) if crs else None
        if by:  # the file's own name of a mapped field (名称 for name) is taken too
            by = column_for(by, list(loaded.gdf.columns), loaded.fields)
        report = area_report(loaded.gdf, by=by, plane=plane, what=f"'{source}'",
                             crs_source=loaded.crs_source, check=loaded.check, strict=strict)
    if as_json:
        _emit(report)
        return
    typer.echo(f"plane CRS {report['crs_plane']}: {report['crs_reason']}")
    typer.echo(f"{'id':<10} {'name':<16} {'mu (plane)':>12} {'mu (ellipsoid)':>15} {'ha':>10}"
               f"  plane")
    for f in report["features"]:
        if f["area_mu_plane"] is None:
            typer.echo(f"{_cell(f['id']):<10} {_cell(f['name']):<16} {'—':>12} {'—':>15} "
                       f"{'—':>10}  not measured")
        else:
            typer.echo(f"{_cell(f['id']):<10} {_cell(f['name']):<16} "
                       f"{f['area_mu_plane']:>12.2f} {f['area_mu_ellipsoidal']:>15.2f} "
                       f"{f['area_ha_plane']:>10.2f}  {f.get('crs_plane') or ''}")
        for issue in f.get("issues") or []:
            typer.echo(f"    {issue['severity']}: {_cell(issue['message'])}")
    for g in report.get("groups", []):
        typer.echo(
            f"{by}={_cell(g['value']):<20} {g['count']:>4} features "
            f"{g['area_mu_plane']:>12.2f} mu"
        )
    t = report["total"]
    skipped = t.get("not_measured") or 0
    typer.echo(f"total {t['count']} features: {t['area_mu_plane']:.2f} mu plane, "
               f"{t['area_mu_ellipsoidal']:.2f} mu ellipsoidal, {t['area_ha_plane']:.2f} ha"
               + (f"; {skipped} feature(s) not measured (see above)" if skipped else ""))


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
    table, plane = coverage_of_layers(open_store(store), of, by, stages=status)
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
    day = _parse_date(as_of) if as_of else None
    phases = progress_of_store(open_store(store), as_of=day)
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
        _emit({"store": mask_url(st.location), "version": version, "event": event})
        return
    kind = "correction" if event["is_correction"] else "event"
    typer.echo(f"recorded {kind} {event['event_id']}: {_cell(parcel)} "
               f"{event['from_stage'] or '-'} → {event['to_stage']} effective "
               f"{event['effective_date']} by {_cell(event['officer'])} (parcel version {version})")


@app.command("history")
def history_cmd(
    parcel: Annotated[str, typer.Argument(help="Parcel id, e.g. QC2-05.")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A parcel's stage history (oldest first), current stage and version."""
    st = open_store(store)
    events = st.read_events(parcel)
    imported = st.read_provenance(layer="parcels", feature_id=parcel)
    if len(events) == 0 and len(imported) == 0:
        ids = set(st.read_layer("parcels")["id"])
        if parcel not in ids:
            raise refusal(InputError, "parcel.unknown", {"parcels": [parcel]})
    current = st.current_stages()
    row = current[current["parcel_id"] == parcel]
    stage = row["stage"].iloc[0] if len(row) else None
    stage_date = row["stage_date"].iloc[0] if len(row) else None
    if as_json:
        _emit({"parcel_id": parcel, "stage": stage, "stage_date": stage_date,
               "version": len(events), "events": events.to_dict(orient="records"),
               "provenance": imported.to_dict(orient="records")})
        return
    typer.echo(f"{_cell(parcel)}: {stage or 'no stage yet'}"
               f"{f' since {stage_date}' if stage_date else ''}, version {len(events)}")
    for e in events.itertuples():
        mark = f"  correction: {_cell(e.correction_reason)}" if e.is_correction else ""
        typer.echo(f"  {e.effective_date}  {_cell(e.from_stage) or '-':<19} → "
                   f"{_cell(e.to_stage):<19} {_cell(e.officer)}  {_cell(e.evidence)}  "
                   f"(#{e.event_id}, {e.recorded_at}){mark}")
    for p in imported.itertuples():
        typer.echo(f"  {p.effective_date}  {p.kind} from {_cell(p.source_file)} by "
                   f"{_cell(p.officer)}  (provenance #{p.event_id}, {p.recorded_at})")


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
    phases = progress_of_store(st, as_of=day)
    shown = st.read_events(until=day)
    out = write_progress_excel(file, phases, shown, as_of=day)
    typer.echo(f"wrote {out}: {len(phases)} phases, {len(shown)} events")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="The file to import (any format `area` reads).")],
    layer: Annotated[str, typer.Option("--layer", help="Target layer in the store.")],
    officer: Annotated[str | None, typer.Option(
        "--officer", help="Who imports (recorded in the ledger); needed unless --dry-run.")
    ] = None,
    mode: Annotated[str, typer.Option(
        "--mode", help="append (add features) or replace (replace the layer).")] = "append",
    crs: Annotated[str | None, typer.Option(
        "--crs", help="CRS of the file's coordinates (default: the file's, else inferred).")
    ] = None,
    encoding: EncodingOpt = None,
    gcj02: GcjOpt = False,
    field_map: MapOpt = None,
    constants: Annotated[list[str] | None, typer.Option(
        "--set", help="Give a field one value for every feature: FIELD=VALUE (repeatable).")
    ] = None,
    source_layer: Annotated[str | None, typer.Option(
        "--source-layer", help="Layer inside a multi-layer file (or a member of a .zip).")
    ] = None,
    strict: StrictOpt = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check and report only; write nothing.")] = False,
    record_stages: Annotated[bool, typer.Option(
        "--record-stages", help="parcels: start each new parcel's stage history with its "
        "stage and stage_date in the file (one ledger event each).")] = False,
    new_layer: Annotated[bool, typer.Option(
        "--new-layer", help="Create --layer even when its name is close to an existing "
        "layer's (otherwise taken for a typo).")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a file into a layer: a report first, then one transaction (or nothing)."""
    try:
        import_mode = ImportMode(mode.strip().lower())
    except ValueError:
        raise InputError(f"--mode must be append or replace, not {mode!r}.") from None
    if not dry_run and not (officer or "").strip():
        raise InputError("Give the officer's name with --officer (it is recorded with the "
                         "import), or use --dry-run to check the file only.")
    options = ImportOptions(
        layer=layer, crs=crs, encoding=encoding, gcj02=gcj02,
        field_map=parse_field_map(field_map or []),
        constants=parse_constants(constants or []),
        mode=import_mode, strict=strict, officer=officer or "", source_layer=source_layer,
        new_layer=new_layer, record_stages=record_stages)
    st = open_store(store)
    show_progress = not as_json and sys.stderr.isatty()  # a terminal, not a pipe or a log
    report = import_file(file, st, options, dry_run=dry_run,
                         progress=_progress_line if show_progress else None)
    if as_json:
        _emit(report.to_dict())
    else:
        _print_import_report(report)
    if not report.ok:
        sys.exit(2)


def _progress_line(step: str, fraction: float) -> None:
    typer.echo(f"[{fraction:4.0%}] {step}", err=True)


def _print_import_report(report: ImportReport) -> None:
    typer.echo(f"file      {_cell(report.source)} ({report.format})")
    if report.encoding:
        typer.echo(f"encoding  {report.encoding}: {_cell(report.encoding_reason)}")
    typer.echo(f"CRS       {report.crs}: {_cell(report.crs_reason)}")
    for m in report.fields:
        typer.echo(f"field     {_cell(m['source'])} → {_cell(m['target'])} ({_cell(m['reason'])})")
    for text in report.notes:
        typer.echo(f"note      {_cell(text)}")
    counts = report.counts()
    target = ("" if report.layer_exists else "new layer ") + f"'{report.layer}'"
    typer.echo(f"features  {report.features_read} read, {report.features_to_write} to write "
               f"into {target} ({report.mode}), {report.area_mu_plane:,.2f} mu; "
               f"{counts['error']} error(s), {counts['warning']} warning(s), "
               f"{counts['repaired']} repaired")
    for issue in report.issues:
        where = "file" if issue.position is None else f"#{issue.position + 1}"
        ident = f" {_cell(issue.feature_id)}" if issue.feature_id is not None else ""
        typer.echo(f"  {issue.severity.value:<8} {where}{ident}: {_cell(issue.message)}")
    if not report.ok:
        typer.echo("nothing was written: correct the errors above and run again", err=True)
    elif report.dry_run:
        typer.echo("dry run: nothing was written; run again without --dry-run to import")
    else:
        typer.echo(f"imported {report.written} feature(s) into '{report.layer}' "
                   "(one transaction; recorded in the ledger)")


@app.command("export")
def export_cmd(
    layer: Annotated[str, typer.Argument(help="Layer of the store to export.")],
    file: Annotated[Path, typer.Argument(help="File to write (.gpkg .geojson .zip .kml "
                                               ".xlsx .txt).")],
    fmt: Annotated[str | None, typer.Option(
        "--format", help="gpkg, geojson, shp, kml, xlsx or boundary-txt (default: from the "
        "file name).")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="gbk or utf-8 for shp and boundary-txt.")] = None,
    store: StoreOpt = None,
) -> None:
    """Write a layer to a file a land office exchanges."""
    st = open_store(store)
    result = export_layer(st, layer, file, fmt=parse_format(fmt) if fmt else None,
                          encoding=encoding)
    for text in result.notes:
        _note(text)
    typer.echo(f"wrote {result.path}: {result.features} feature(s) of '{layer}' as "
               f"{result.format}")


@app.command("init")
def init_cmd(
    store: Annotated[str, typer.Option(
        "--store", envvar="GEO_APP_STORE",
        help="postgresql:// URL or a new GeoPackage path to initialise.")],
    sample: Annotated[bool, typer.Option(
        "--sample", help="Load the illustrative sample layers and their history.")] = False,
) -> None:
    """Create geo_app's tables in an empty database or a new GeoPackage."""
    st = init_store(store, sample=sample)
    what = "with the illustrative sample layers" if sample else "empty"
    typer.echo(f"initialised {mask_url(st.location)} ({what})")
    setup = getattr(st, "role_setup", None)
    if setup is not None:
        made = f"created {', '.join(setup.created)}" if setup.created else (
            "geo_viewer, geo_officer, geo_admin exist")
        typer.echo(f"roles: {made}; give each user one with "
                   "`geo-app grant USER ROLE --store URL`")


@app.command("grant")
def grant_cmd(
    user: Annotated[str, typer.Argument(help="The database login to give a role to.")],
    role: Annotated[str, typer.Argument(help="geo_viewer, geo_officer or geo_admin.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the role away instead.")
                      ] = False,
    store: Annotated[str, typer.Option(
        "--store", envvar="GEO_APP_STORE",
        help="postgresql:// URL of an administrator's connection (CREATEROLE).")] = "",
) -> None:
    """Give a database user one of geo_app's roles (PostGIS stores)."""
    if revoke:
        removed = revoke_role(store, user, role)
        typer.echo(f"revoked {_cell(role)} from {_cell(user)}" if removed
                   else f"{_cell(user)} did not have {_cell(role)}")
        return
    g = grant_role(store, user, role)
    may = ", ".join(_CAPABILITY_WORDS[c] for c in _CAPABILITY_WORDS
                    if c in g.capabilities) or "nothing"
    verb = "already had" if g.already else "granted"
    typer.echo(f"{_cell(g.user)} {verb} {_cell(g.role)}: may {may}")


#: What each capability lets a user do, in words (never the code).
_CAPABILITY_WORDS = {"read": "read", "record_stage": "record stage changes",
                     "import": "import layers", "admin": "administer the store"}


# Command groups in their own modules (``geo_app.cli_*``): one import and one line each.
cli_ledger.register(app)
cli_present.register(app)
cli_brief.register(app)
cli_deploy.register(app)
cli_terrain.register(app)


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
        typer.echo(f"error: {_cell(mask_url(render(exc, _lang())))}", err=True)
        sys.exit(2)
    except OSError as exc:  # the machine, not the user: still one sentence, never a traceback
        what = exc.strerror or type(exc).__name__
        where = f" ({_cell(mask_url(str(exc.filename)))})" if exc.filename else ""
        typer.echo(f"error: the system refused: {what}{where}. Nothing more was done.", err=True)
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
            typer.echo(f"error: {_cell(mask_url(' '.join(message.split())))}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
