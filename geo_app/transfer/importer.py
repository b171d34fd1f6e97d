"""Import a land-data file into a layer of the store: read, check, report, then write once.

One function per user action: :func:`plan_import` reads and checks a file and returns an
:class:`ImportPlan` (the report plus the prepared features) without writing anything;
:func:`commit_import` writes a plan in one transaction with an ``imported`` provenance event
per feature; :func:`import_file` does both (the CLI's ``geo-app import`` and the app's Import
page call it; ``dry_run=True`` stops after the report).

The report says how the file was read (format, encoding and why, source CRS and why, the
fields mapped) and, per feature, what was found: invalid geometry (repaired, or refused with
``strict``), empty or non-finite coordinates, duplicates, overlaps with each other and with
the layer's existing features (mu), features outside the district boundary, a declared area
that differs from the computed one by more than 1 %, and missing or invalid fields for the
layer's specification. Any error blocks the write; warnings and repairs do not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import gc
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.analysis.area import zone_plane_area_m2
from geo_app.analysis.crs import CRSSource
from geo_app.analysis.geometry_checks import (
    GeometryCheck,
    Severity,
    outside_share,
    overlap_with_existing_mu,
    relation_issues,
)
from geo_app.analysis.units import M2_PER_MU
from geo_app.domain.layers import PARCELS, LayerSpec, get_spec
from geo_app.errors import GeoAppError, InputError, SchemaError
from geo_app.io.base import ReadResult
from geo_app.storage import LayerStore
from geo_app.storage._write import check_layer_name
from geo_app.storage.base import ImportMode, Provenance
from geo_app.transfer.load import load_file

#: A computed area may differ from the declared one by this share before it is reported.
AREA_TOLERANCE = 0.01
#: A feature with more than this share of its area outside the district is reported.
OUTSIDE_TOLERANCE = 0.01
#: The store layer holding the district outline used for the "outside the zone" check.
BOUNDARY_LAYER = "boundary"

Progress = Callable[[str, float], None]


class ImportIssueKind(StrEnum):
    """What the import checks found beyond the geometry checks of the analysis layer."""

    MISSING_FIELD = "missing_field"
    INVALID_VALUE = "invalid_value"
    DUPLICATE_ID = "duplicate_id"
    ID_EXISTS = "id_exists"
    OVERLAP_EXISTING = "overlap_existing"
    OUTSIDE_ZONE = "outside_zone"
    AREA_MISMATCH = "area_mismatch"
    REPLACES_FEATURES = "replaces_features"
    STAGE_KEPT = "stage_kept"
    NO_STAGE_HISTORY = "no_stage_history"
    NO_SUCH_LAYER = "no_such_layer"


@dataclass(frozen=True)
class ImportIssue:
    """One thing found about one feature (``position`` None: about the whole file)."""

    position: int | None
    feature_id: Any
    kind: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"feature": None if self.position is None else self.position + 1,
                "id": _plain(self.feature_id), "kind": self.kind,
                "severity": self.severity.value, "message": self.message}


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose. ``layer`` is the target layer in the store."""

    layer: str
    crs: str | None = None
    encoding: str | None = None
    gcj02: bool = False
    field_map: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    mode: ImportMode = ImportMode.APPEND
    strict: bool = False
    officer: str = ""
    source_layer: str | None = None
    effective_date: dt.date | None = None
    #: The user asked for a new layer: a name close to an existing layer's is then not
    #: taken for a typo.
    new_layer: bool = False
    #: Parcels: start each new parcel's stage history with the stage it has in the file.
    record_stages: bool = False


@dataclass
class ImportReport:
    """Everything the user is told about an import (also the ``--json`` output)."""

    source: str
    layer: str
    mode: str
    format: str = ""
    encoding: str | None = None
    encoding_reason: str | None = None
    crs: str | None = None
    crs_reason: str | None = None
    crs_inferred: bool = False
    notes: list[str] = field(default_factory=list)
    fields: list[dict[str, str]] = field(default_factory=list)
    features_read: int = 0
    #: The file's own attribute columns, in file order, before any mapping.
    source_columns: list[str] = field(default_factory=list)
    features_to_write: int = 0
    area_mu_plane: float = 0.0
    issues: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = True
    written: int = 0
    layer_exists: bool = False
    #: Features now in the layer that ``--mode replace`` removes (0 when appending).
    replaces: int = 0
    #: Parcels whose stage history starts with this import (their stage as imported).
    opening_stages: int = 0

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def problem_positions(self) -> list[int]:
        """Positions (0-based, in the file's order) of features with any issue."""
        return sorted({i.position for i in self.issues if i.position is not None})

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for issue in self.issues:
            out[issue.severity.value] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "layer": self.layer, "mode": self.mode,
            "format": self.format, "encoding": self.encoding,
            "encoding_reason": self.encoding_reason,
            "crs_source": {"crs": self.crs, "reason": self.crs_reason,
                           "inferred": self.crs_inferred},
            "notes": list(self.notes), "fields": list(self.fields),
            "features_read": self.features_read, "source_columns": list(self.source_columns),
            "features_to_write": self.features_to_write,
            "area_mu_plane": self.area_mu_plane, "counts": self.counts(),
            "ok": self.ok, "dry_run": self.dry_run, "written": self.written,
            "layer_exists": self.layer_exists, "replaces": self.replaces,
            "opening_stages": self.opening_stages,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass
class ImportPlan:
    """A checked import: the report and the features ready to write (``None`` if blocked)."""

    report: ImportReport
    features: gpd.GeoDataFrame | None
    options: ImportOptions
    #: Every feature as read (CRS resolved, geometry repaired), in file order: positions in
    #: the report's issues index it (for a preview map with the problem features).
    read_features: gpd.GeoDataFrame | None = None


def parse_constants(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["phase=2", "park=青春化工园"]`` (``--set`` options) → ``{"phase": "2", …}``."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, value = item.replace("＝", "=").partition("=")
        column = column.strip()
        if not sep or not column:
            raise InputError(f"--set '{item}' is not FIELD=VALUE, e.g. --set phase=2.")
        if column in out and out[column] != value.strip():
            raise InputError(f"--set gives '{column}' two values; keep one.")
        out[column] = value.strip()
    return out


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _noop(_step: str, _fraction: float) -> None:
    return None


def _ids(gdf: gpd.GeoDataFrame, id_column: str) -> list[Any]:
    """Each feature's id as a plain Python value (None where missing).

    The column is converted once with ``to_numpy`` (iterating an Arrow string column value
    by value costs 0.3 s per 100k); only non-string values go through :func:`_plain`.
    """
    if id_column not in gdf.columns:
        return [None] * len(gdf)
    column = gdf[id_column]
    values = column.to_numpy(dtype=object, na_value=None)
    if isinstance(column.dtype, pd.StringDtype):  # every value a str or None already
        return values.tolist()
    return [v if v is None or type(v) is str else _plain(v) for v in values]


def _apply_constants(gdf: gpd.GeoDataFrame, constants: Mapping[str, str],
                     report: ImportReport) -> gpd.GeoDataFrame:
    if not constants:
        return gdf
    out = gdf.copy()
    for column, value in constants.items():
        if column == out.geometry.name:
            raise InputError(f"--set {column}=… would replace the geometry; name a field.")
        if column in out.columns and out[column].notna().any():
            filled = int(out[column].isna().sum())
            out[column] = out[column].where(out[column].notna(), value)
            report.notes.append(f"--set {column}={value!r} filled {filled} empty value(s); "
                                "values from the file were kept")
        else:
            out[column] = value
            report.notes.append(f"--set {column}={value!r} for every feature")
    return out


def _spec_issues(gdf: gpd.GeoDataFrame, spec: LayerSpec, report: ImportReport
                 ) -> gpd.GeoDataFrame:
    """Missing required fields (one file-level error each); nullable ones are added empty."""
    out = gdf
    for col in spec.columns:
        if col.name in out.columns:
            continue
        if col.nullable:
            out = out.copy() if out is gdf else out
            out[col.name] = None
            continue
        report.issues.append(ImportIssue(
            None, None, ImportIssueKind.MISSING_FIELD, Severity.ERROR,
            f"layer '{spec.name}' needs field '{col.name}' ({col.zh}, {col.en}) and the file "
            f"has none: map one of the file's fields to it (--map SOURCE={col.name}, or the "
            f"Import page's field mapping) or give one value for all (--set "
            f"{col.name}=VALUE, or the page's 'one value for all')"))
    return out


def _validate_values(gdf: gpd.GeoDataFrame, spec: LayerSpec, report: ImportReport,
                     ids: list[Any]) -> gpd.GeoDataFrame | None:
    """Run the layer's validation: every unusable value a report error of its feature (all
    of them, not only the first), anything else the validation refuses one error."""
    from geo_app.domain.validate import validate_layer, value_problems

    problems = value_problems(gdf, spec)
    for pos, what in problems:
        fid = _plain(gdf[spec.id_column].iloc[pos]) if spec.id_column in gdf.columns else None
        position = gdf.index[pos]
        report.issues.append(ImportIssue(
            int(position) if _is_position(position) else None, fid,
            ImportIssueKind.INVALID_VALUE, Severity.ERROR, what))
    if problems or any(i.kind == ImportIssueKind.DUPLICATE_ID for i in report.issues):
        return None  # a duplicated id is already an error of its feature
    try:
        return validate_layer(gdf, spec)
    except SchemaError as exc:
        report.issues.append(ImportIssue(
            None, None, ImportIssueKind.INVALID_VALUE, Severity.ERROR, str(exc)))
        return None


@dataclass
class _Staged:
    """An import checked for everything that can block it; the warnings still to find.

    :meth:`warnings` (areas, declared-area mismatches, overlaps within the file and with the
    layer, features outside the district) only adds warnings and the total area: it never
    changes whether or what is written, so :func:`import_file` runs it beside the write.
    """

    plan: ImportPlan
    check: GeometryCheck
    gdf: gpd.GeoDataFrame
    ids: list[Any]
    read: ReadResult
    spec: LayerSpec | None
    existing: gpd.GeoDataFrame | None
    outline: gpd.GeoDataFrame | None

    @property
    def report(self) -> ImportReport:
        return self.plan.report

    def warnings(self) -> tuple[list[ImportIssue], float]:
        """(the warnings found, the plane area of the measurable features in mu)."""
        issues, area_mu = self.measured_warnings()
        return [*self.relation_warnings(), *issues], area_mu

    def relation_warnings(self) -> list[ImportIssue]:
        """Duplicates and overlaps within the file."""
        return [ImportIssue(issue.position, _plain(issue.feature_id), str(issue.kind),
                            issue.severity, issue.message)
                for issue in relation_issues(self.check)]

    def measured_warnings(self) -> tuple[list[ImportIssue], float]:
        """Areas and declared-area mismatches, overlaps with the layer, outside the district;
        and the plane area of the measurable features in mu."""
        found = ImportReport(source=self.report.source, layer=self.report.layer,
                             mode=self.report.mode)
        measurable = np.asarray(self.check.measurable, dtype=bool)
        measured = self.gdf[measurable]
        area_m2 = np.full(len(self.gdf), np.nan)
        if len(measured):
            area_m2[measurable] = zone_plane_area_m2(measured)
        _declared_area_issues(self.gdf, self.read, self.spec, area_m2, self.ids, found)
        positions = np.flatnonzero(measurable)
        if self.existing is not None and len(measured) and len(self.existing):
            overlap = overlap_with_existing_mu(measured, self.existing, plane=None)
            _overlap_issues(overlap, positions, self.ids, found)
        if self.outline is not None and len(measured):
            outline = self.outline.to_crs(measured.crs).union_all()
            shares = outside_share(measured, outline, plane=None)
            _outside_issues(shares, positions, self.ids, found, self.outline)
        return found.issues, float(np.nansum(area_m2) / M2_PER_MU)

    def add(self, found: tuple[list[ImportIssue], float]) -> ImportReport:
        """The report with :meth:`warnings`' result added, issues in feature order."""
        report = self.report
        report.issues.extend(found[0])
        report.area_mu_plane = found[1]
        report.issues.sort(key=lambda i: (-1 if i.position is None else i.position,
                                          list(Severity).index(i.severity)))
        return report


def plan_import(
    path: Path | str,
    store: LayerStore,
    options: ImportOptions,
    *,
    source_name: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check ``path`` for import into ``options.layer``; write nothing.

    Raises :class:`~geo_app.errors.GeoAppError` only when the file cannot be read at all
    (or an option is unusable); everything found per feature goes into the report.
    """
    step = progress or _noop
    staged = _stage(path, store, options, source_name=source_name, step=step)
    step("measuring areas and overlaps", 0.85)
    staged.add(staged.warnings())
    step("report ready", 1.0)
    return staged.plan


def _stage(path: Path | str, store: LayerStore, options: ImportOptions, *,
           source_name: str | None, step: Progress) -> _Staged:
    """Read ``path`` and find everything that blocks the import (see :class:`_Staged`)."""
    path = Path(path)
    source = source_name or path.name
    check_layer_name(options.layer)
    if options.mode not in tuple(ImportMode):
        raise InputError(f"--mode must be append or replace, not {options.mode!r}.")
    report = ImportReport(source=source, layer=options.layer, mode=str(options.mode))
    spec = get_spec(options.layer)
    id_column = spec.id_column if spec else "id"
    if spec is not None:
        for src, dst in options.field_map.items():
            if dst != src and dst not in spec.column_names:
                report.notes.append(
                    f"--map {src}={dst}: layer '{spec.name}' has no field '{dst}', so the "
                    f"values are kept as an extra column of that name (its fields: "
                    f"{', '.join(spec.column_names)})")
    loaded = load_file(path, layer=options.source_layer, encoding=options.encoding,
                       source_name=source, field_map=options.field_map,
                       targets=list(spec.column_names) if spec else None, crs=options.crs,
                       gcj02=options.gcj02, strict=options.strict, id_column=id_column,
                       relations=False, progress=step)
    result, check = loaded.read, loaded.check
    report.format = str(result.format)
    report.encoding, report.encoding_reason = result.encoding, result.encoding_reason
    report.notes.extend(result.notes)
    report.features_read = len(result.gdf)
    report.source_columns = loaded.source_columns
    report.fields = [{"source": m.source, "target": m.target, "reason": m.reason}
                     for m in loaded.fields]
    _note_crs(report, loaded.crs_source)
    gdf = _apply_constants(loaded.gdf, options.constants, report)
    gdf = _declared_area_from_file(gdf, result, spec, report)
    ids = _ids(gdf, id_column)
    measurable = np.asarray(check.measurable, dtype=bool)
    for issue in check.issues:
        # a feature with no usable geometry cannot go into a layer: an error here
        severity = Severity(str(issue.severity))
        if issue.position is not None and not measurable[issue.position]:
            severity = Severity.ERROR
        report.issues.append(ImportIssue(
            issue.position, _plain(issue.feature_id), str(issue.kind), severity,
            issue.message))

    step("comparing with the store", 0.65)
    infos = {info.name: info for info in store.list_layers()}
    existing_names = set(infos)
    report.layer_exists = options.layer in existing_names
    if not report.layer_exists and not options.new_layer:
        _near_layer_issue(options.layer, existing_names, report)
    # the parcels' recorded stages, read once (replace warning, stages kept or started)
    ledger = _ledger_stages(store) if options.layer == PARCELS.name else None
    if report.layer_exists and options.mode is ImportMode.REPLACE:
        _replace_issue(infos[options.layer], ledger, report)
    existing = None
    if report.layer_exists and options.mode is ImportMode.APPEND:
        existing = store.read_layer(options.layer)
        _existing_id_issues(existing, ids, id_column, report)
    outline = None
    if BOUNDARY_LAYER in existing_names and options.layer != BOUNDARY_LAYER:
        outline = store.read_layer(BOUNDARY_LAYER)
    elif options.layer != BOUNDARY_LAYER:
        report.notes.append("the store has no 'boundary' layer: features were not checked "
                            "against the district outline")

    step("checking fields", 0.8)
    _duplicate_id_issues(ids, id_column, gdf, report)
    prepared: gpd.GeoDataFrame | None = gdf[~_blocked_rows(check, gdf)].copy()
    if spec is not None:
        prepared = _spec_issues(prepared, spec, report)
        if not [i for i in report.issues if i.kind == ImportIssueKind.MISSING_FIELD]:
            prepared = _validate_values(prepared, spec, report, ids)
    report.features_to_write = 0 if prepared is None else len(prepared)
    if ledger is not None and prepared is not None and "stage" in prepared.columns:
        _stage_history_issues(ledger, prepared, id_column, report, options.record_stages)
    plan = ImportPlan(report, prepared if report.ok else None, options, read_features=gdf)
    return _Staged(plan, check, gdf, ids, result, spec, existing, outline)


def _blocked_rows(check: Any, gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Rows that cannot be written (no usable geometry); their issues are errors."""
    return ~np.asarray(check.measurable, dtype=bool)


def _note_crs(report: ImportReport, crs_source: CRSSource) -> None:
    report.crs = crs_source.crs
    report.crs_reason = crs_source.reason
    report.crs_inferred = bool(crs_source.inferred)
    report.notes.extend(crs_source.notes)


def _declared_area_issues(gdf: gpd.GeoDataFrame, result: ReadResult, spec: LayerSpec | None,
                          area_m2: np.ndarray, ids: list[Any], report: ImportReport) -> None:
    declared_m2: np.ndarray | None = None
    label = ""
    # the value that will be stored first: a column mapped or set to declared_area_mu in
    # the wrong unit is then caught
    if "declared_area_mu" in gdf.columns:
        declared_m2 = pd.to_numeric(gdf["declared_area_mu"],
                                    errors="coerce").to_numpy(dtype=float) * M2_PER_MU
        label = "declared_area_mu"
    elif result.declared_area_m2_column and result.declared_area_m2_column in gdf.columns:
        declared_m2 = pd.to_numeric(gdf[result.declared_area_m2_column],
                                    errors="coerce").to_numpy(dtype=float)
        label = "declared in the file"
    if declared_m2 is None:
        return
    with np.errstate(invalid="ignore", divide="ignore"):
        off = (area_m2 - declared_m2) / declared_m2
    for pos in np.flatnonzero(np.isfinite(off) & (np.abs(off) > AREA_TOLERANCE)
                              & (declared_m2 > 0)):
        computed_mu, declared_mu = area_m2[pos] / M2_PER_MU, declared_m2[pos] / M2_PER_MU
        hint = ("swapped X/Y or a wrong zone" if abs(off[pos]) > 0.05
                else "a wrong zone, a broken ring or a rounded figure")
        report.issues.append(ImportIssue(
            int(pos), ids[pos], ImportIssueKind.AREA_MISMATCH, Severity.WARNING,
            f"area {label} {declared_mu:,.2f} mu but the geometry measures "
            f"{computed_mu:,.2f} mu ({off[pos]:+.1%} off; check for {hint})"))


def _declared_area_from_file(gdf: gpd.GeoDataFrame, result: ReadResult,
                             spec: LayerSpec | None, report: ImportReport) -> gpd.GeoDataFrame:
    """A layer with ``declared_area_mu`` takes the file's own declared area (the 部标 TXT's
    地块面积, in hectares) when nothing was mapped or set to it: converted, and said."""
    source = result.declared_area_m2_column
    if (spec is None or "declared_area_mu" not in spec.column_names
            or "declared_area_mu" in gdf.columns or not source or source not in gdf.columns):
        return gdf
    out = gdf.copy()
    out["declared_area_mu"] = pd.to_numeric(out[source], errors="coerce") / M2_PER_MU
    report.fields.append({"source": source, "target": "declared_area_mu",
                          "reason": "the file's declared area (m², from its hectares), "
                                    "converted to mu"})
    return out


def _ledger_stages(store: LayerStore) -> pd.Series:
    """Each parcel's recorded stage (None before its first known one), by parcel id."""
    try:
        current = store.current_stages()
    except GeoAppError:  # no ledger yet
        return pd.Series(dtype=object)
    return pd.Series(current["stage"].to_numpy(dtype=object),
                     index=current["parcel_id"].astype(str).to_numpy())


def _stage_history_issues(ledger: pd.Series, prepared: gpd.GeoDataFrame, id_column: str,
                          report: ImportReport, record: bool) -> None:
    """Parcels the ledger knows keep their recorded stage (said where the file differs);
    the others start their history with the stage they come with when ``record``, else
    the report says that their stage is only on the map."""
    if id_column not in prepared.columns:
        return
    ids = prepared[id_column].astype("object")
    stages = prepared["stage"].astype("object")
    given = (ids.notna() & stages.notna()).to_numpy()
    keys = ids.where(ids.isna(), ids.astype(str))
    known = keys.isin(ledger.index).to_numpy() & given
    kept = keys.map(ledger).where(known, None)
    differs = known & kept.notna().to_numpy() & (kept.astype(str) != stages.astype(str)
                                                 ).to_numpy()
    for pos in np.flatnonzero(differs):
        position = prepared.index[pos]
        report.issues.append(ImportIssue(
            int(position) if _is_position(position) else None, _plain(ids.iloc[pos]),
            ImportIssueKind.STAGE_KEPT, Severity.WARNING,
            f"the file gives stage {stages.iloc[pos]!r} but the ledger has "
            f"{kept.iloc[pos]!r} for this parcel: the ledger's stage is kept (record a stage "
            "change to move it)"))
    opening = int((given & ~known).sum())
    if not opening:
        return
    if record:
        report.opening_stages = opening
        report.notes.append(f"{opening} parcel(s) start their stage history with the stage "
                            "and date they have in the file (one ledger event each, by the "
                            "importing officer, the file as evidence)")
        return
    report.issues.append(ImportIssue(
        None, None, ImportIssueKind.NO_STAGE_HISTORY, Severity.WARNING,
        f"{opening} parcel(s) have a stage in the file but no stage history in the ledger: "
        "the map shows the file's stage, while their history, the next stage and progress "
        "as of a date take them as not started. Import with --record-stages (the Import "
        "page: 'record the file's stages') to start their history with it, or record "
        "their history (geo-app stage import)"))


def _is_position(value: object) -> bool:
    return isinstance(value, int | np.integer)


def _near_layer_issue(layer: str, names: set[str], report: ImportReport) -> None:
    """A new layer whose name is close to an existing one is most likely a typo: refused."""
    lowered = {n.lower(): n for n in names}
    near = difflib.get_close_matches(layer.lower(), list(lowered), n=1, cutoff=0.8)
    if not near:
        return
    report.issues.append(ImportIssue(
        None, None, ImportIssueKind.NO_SUCH_LAYER, Severity.ERROR,
        f"there is no layer '{layer}' in the store; did you mean '{lowered[near[0]]}'? "
        f"To create a new layer named '{layer}', import again with --new-layer (the Import "
        "page: choose 'new layer')"))


def _replace_issue(info: Any, ledger: pd.Series | None, report: ImportReport) -> None:
    """Say what ``--mode replace`` removes, and how many parcels have a stage history."""
    count = int(info.feature_count or 0)
    report.replaces = count
    if not count:
        return
    history = ""
    if ledger is not None and len(ledger):
        history = (f"; {len(ledger)} parcel(s) have a stage history, which stays in the ledger "
                   "and applies again to a parcel of the same id in the new file")
    report.issues.append(ImportIssue(
        None, None, ImportIssueKind.REPLACES_FEATURES, Severity.WARNING,
        f"--mode replace removes the {count} feature(s) now in layer '{report.layer}'"
        f"{history}; use --mode append to add to them instead"))


def _existing_id_issues(existing: gpd.GeoDataFrame, ids: list[Any], id_column: str,
                        report: ImportReport) -> None:
    if id_column not in existing.columns:
        return
    have = pd.Index(existing[id_column].dropna().astype(str).unique())
    keys = _id_keys(ids)
    for pos in np.flatnonzero(keys.notna().to_numpy() & keys.isin(have).to_numpy()):
        fid = ids[pos]
        report.issues.append(ImportIssue(
            int(pos), fid, ImportIssueKind.ID_EXISTS, Severity.ERROR,
            f"id {fid!r} is already in layer '{report.layer}': use --mode replace to "
            "replace the layer, or give the feature another id"))


def _id_keys(ids: list[Any]) -> pd.Series:
    """Each id as the text it is compared by (``str(id)``), None where missing."""
    keys = pd.Series(ids, dtype=object)
    if pd.api.types.infer_dtype(keys, skipna=True) not in ("string", "empty"):
        keys = keys.map(lambda v: None if v is None else str(v))
    return keys


def _overlap_issues(overlap_mu: np.ndarray, positions: np.ndarray, ids: list[Any],
                    report: ImportReport) -> None:
    for k, mu in enumerate(np.asarray(overlap_mu, dtype=float)):
        if mu > 0.01:
            pos = int(positions[k])
            report.issues.append(ImportIssue(
                pos, ids[pos], ImportIssueKind.OVERLAP_EXISTING, Severity.WARNING,
                f"overlaps existing features of layer '{report.layer}' by {mu:,.2f} mu"))


def _outside_issues(shares: np.ndarray, positions: np.ndarray, ids: list[Any],
                    report: ImportReport, outline: gpd.GeoDataFrame) -> None:
    where = str(outline["name"].iloc[0]) if "name" in outline.columns and len(outline) else (
        "the district")
    for k, share in enumerate(np.asarray(shares, dtype=float)):
        if share > OUTSIDE_TOLERANCE:
            pos = int(positions[k])
            report.issues.append(ImportIssue(
                pos, ids[pos], ImportIssueKind.OUTSIDE_ZONE, Severity.WARNING,
                f"{share:.0%} of the feature lies outside {where}: check the coordinate "
                "system (--crs, --gcj02) or whether it belongs here"))


def _duplicate_id_issues(ids: list[Any], id_column: str, gdf: gpd.GeoDataFrame,
                         report: ImportReport) -> None:
    if id_column not in gdf.columns:
        return
    keys = _id_keys(ids)
    present = keys.notna().to_numpy()
    again = present & keys.duplicated(keep="first").to_numpy()
    if not again.any():
        return
    codes, uniques = pd.factorize(keys)  # missing ids: -1
    rows = np.flatnonzero(present)
    seen, at = np.unique(codes[rows], return_index=True)  # first occurrence of each id
    first = np.zeros(len(uniques), dtype=int)
    first[seen] = rows[at]
    for pos in np.flatnonzero(again):
        fid = ids[pos]
        report.issues.append(ImportIssue(
            int(pos), fid, ImportIssueKind.DUPLICATE_ID, Severity.ERROR,
            f"id {fid!r} appears again (first at feature {first[codes[pos]] + 1}): ids "
            "must be unique; correct the file or map another field with --map"))


def commit_import(plan: ImportPlan, store: LayerStore, *, progress: Progress | None = None
                  ) -> ImportReport:
    """Write a checked plan in one transaction (refused if the report has errors)."""
    report = plan.report
    if not report.ok or plan.features is None:
        first = report.errors[0].message if report.errors else "no features"
        raise InputError(
            f"{report.source} was not imported: {len(report.errors)} error(s), first: "
            f"{first}. Nothing was written.")
    officer = (plan.options.officer or "").strip()
    if not officer:
        raise InputError("Give the officer's name (--officer) for the import record.")
    step = progress or _noop
    step("writing to the store", 0.9)
    provenance = Provenance(
        source_file=report.source, officer=officer,
        effective_date=plan.options.effective_date or dt.date.today(),
        details={"mode": report.mode, "format": report.format, "encoding": report.encoding,
                 "crs": report.crs, "features": report.features_to_write})
    try:
        outcome = store.import_features(plan.options.layer, plan.features,
                                        mode=ImportMode(plan.options.mode),
                                        provenance=provenance,
                                        record_stages=plan.options.record_stages)
    except GeoAppError:
        raise
    report.dry_run = False
    report.written = int(getattr(outcome, "written", report.features_to_write))
    step("done", 1.0)
    return report


def import_file(
    path: Path | str,
    store: LayerStore,
    options: ImportOptions,
    *,
    dry_run: bool = False,
    source_name: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check ``path`` and, unless ``dry_run`` or the report has errors, import it."""
    with _collector_paused():
        return _import_file(path, store, options, dry_run=dry_run, source_name=source_name,
                            step=progress or _noop)


def _import_file(path: Path | str, store: LayerStore, options: ImportOptions, *,
                 dry_run: bool, source_name: str | None, step: Progress) -> ImportReport:
    staged = _stage(path, store, options, source_name=source_name, step=step)
    if dry_run or not staged.report.ok:
        step("measuring areas and overlaps", 0.85)
        report = staged.add(staged.warnings())
        step("report ready", 1.0)
        return report
    # the warnings never change what is written: found on the second core during the write
    # (the write's SQLite steps, GEOS and NumPy leave the interpreter lock while they work);
    # when the write ends first, this thread takes the part the other has not started
    with ThreadPoolExecutor(max_workers=1) as pool:
        relations = pool.submit(staged.relation_warnings)
        measured = pool.submit(staged.measured_warnings)
        commit_import(staged.plan, store, progress=step)
        issues, area_mu = (staged.measured_warnings() if measured.cancel()
                           else measured.result())
        return staged.add(([*relations.result(), *issues], area_mu))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one import (back on, as it was, after).

    An import makes millions of objects (geometries, row tuples, blobs) that hold no
    cycles; the collector would still walk all of them, repeatedly: 0.06–0.08 s of a
    100k-feature import. Memory freed by reference counting is freed as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
