"""Import: upload a land-data file, check it, read the report and the preview, confirm.

The page reads widgets and calls :mod:`._check` (which calls
:func:`geo_app.transfer.importer.plan_import` / :func:`~geo_app.transfer.importer.commit_import`);
:mod:`._report` shows the report and the preview map, :mod:`._state` keeps the check between
reruns. Nothing is written before the user confirms a report without errors.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo_app.domain.layers import get_spec
from geo_app.errors import GeoAppError
from geo_app.settings import get_settings
from geo_app.storage.base import ImportMode
from geo_app.transfer.importer import ImportOptions
from geo_app.ui import loaders, state
from geo_app.ui.components import error_boundary, store_caption
from geo_app.ui.i18n import TEXT, Lang, t
from geo_app.ui.pages.importing import _state
from geo_app.ui.pages.importing._check import (
    UPLOAD_TYPES,
    CheckedImport,
    check_upload,
    confirm_upload,
    content_digest,
    upload_fingerprint,
)
from geo_app.ui.pages.importing._report import show_report
from geo_app.ui.pages.importing._state import ImportKey
from geo_app.ui.tables import layer_label
from geo_app.ui.text import md_text

ENCODINGS: tuple[str, ...] = ("auto", "utf-8", "gbk")
#: The layer choice that asks for a new layer's name (not a valid layer name itself).
NEW_LAYER = "+new"
KEEP = ""


def render() -> None:
    lang = state.lang()
    st.title(t("page.import", lang))
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        store_caption(location, lang)
        if "import" not in loaders.capabilities(location, token):
            st.info(t("role.no_import", lang))
            return
        flash = _state.flash()
        if flash is not None:
            kind, text = flash
            (st.success if kind == "success" else st.warning)(text)
        st.caption(t("imp.intro", lang))
        upload = _upload_widget(lang)
        options = _option_widgets(list(data.layers), lang)
        if upload is None:
            _state.set_checked(None)  # the file was removed: its report goes too
            return
        digest = _digest(upload)
        checked = _state.checked()
        if options is not None:
            options = _field_widgets(options, checked, digest, lang)
        if st.button(t("imp.check", lang), key=ImportKey.CHECK, type="primary",
                     disabled=options is None):
            checked = _run_check(upload, options, location, lang)
        if checked is None:
            return
        fresh = (options is not None
                 and upload_fingerprint(digest, upload.name, options) == checked.fingerprint)
        if not fresh:
            st.warning(t("imp.stale", lang))
        show_report(checked, lang, context_location=location, context_token=token)
        _confirm(checked, upload if fresh else None, lang)


def _upload_widget(lang: Lang) -> UploadedFile | None:
    limit_mb = float(get_settings().max_upload_mb)
    # the browser refuses bigger files before sending them; check_upload_size says it in
    # the library's words for anything over the exact limit that gets through
    upload = st.file_uploader(
        t("imp.file", lang), type=list(UPLOAD_TYPES), key=ImportKey.UPLOAD,
        help=t("imp.file.help", lang, mb=f"{limit_mb:g}"),
        max_upload_size=max(1, math.ceil(limit_mb)))
    return upload if isinstance(upload, UploadedFile) else None


def _option_widgets(layers: list[str], lang: Lang) -> ImportOptions | None:
    """The import options on screen (officer aside); ``None`` until a layer is chosen."""
    left, mid, right = st.columns(3)
    choices = [*layers, NEW_LAYER]
    default = choices.index("parcels") if "parcels" in choices else len(layers)
    picked = left.selectbox(
        t("imp.layer", lang), choices, index=default, key=ImportKey.LAYER,
        format_func=lambda n: t("imp.new_layer", lang) if n == NEW_LAYER else _layer_option(
            n, lang))
    layer = picked
    if picked == NEW_LAYER:
        layer = left.text_input(t("imp.layer.new", lang), key=ImportKey.NEW_LAYER,
                                help=t("imp.layer.help", lang), placeholder="survey_2024")
    mode = mid.radio(t("imp.mode", lang), list(ImportMode), key=ImportKey.MODE,
                     horizontal=True, format_func=lambda m: t(f"imp.mode.{m}", lang))
    crs = right.text_input(t("imp.crs", lang), key=ImportKey.CRS, help=t("imp.crs.help", lang),
                           placeholder="EPSG:4547")
    left2, mid2, right2 = st.columns(3)
    encoding = left2.selectbox(
        t("imp.encoding", lang), ENCODINGS, key=ImportKey.ENCODING,
        format_func=lambda e: t("imp.encoding.auto", lang) if e == "auto" else e.upper())
    gcj02 = mid2.checkbox(t("imp.gcj02", lang), key=ImportKey.GCJ02,
                          help=t("imp.gcj02.help", lang))
    strict = right2.checkbox(t("imp.strict", lang), key=ImportKey.STRICT)
    record = False
    if str(layer or "").strip() == "parcels":
        record = right2.checkbox(t("imp.record_stages", lang), key=ImportKey.RECORD_STAGES,
                                 help=t("imp.record_stages.help", lang))
    if not (layer or "").strip():
        return None
    return ImportOptions(
        layer=str(layer).strip(), crs=(crs or "").strip() or None,
        encoding=None if encoding in (None, "auto") else str(encoding), gcj02=bool(gcj02),
        mode=ImportMode(mode or ImportMode.APPEND), strict=bool(strict),
        new_layer=picked == NEW_LAYER, record_stages=bool(record))


def _layer_option(name: str, lang: Lang) -> str:
    label = layer_label(name, lang)
    return label if label == name else f"{label} ({name})"


def _digest(upload: UploadedFile) -> str:
    known = _state.digests()
    if upload.file_id not in known:
        known.clear()  # one upload at a time: forget the previous file's digest
        known[upload.file_id] = content_digest(upload.getvalue())
    return known[upload.file_id]


def _field_widgets(options: ImportOptions, checked: CheckedImport | None, digest: str,
                   lang: Lang) -> ImportOptions:
    """After a check of this file: one box per column of the file (keep, or a layer field),
    then one value for all features for each layer field the file does not fill."""
    spec = get_spec(options.layer)
    if checked is None or spec is None or not checked.fingerprint.startswith(f"{digest}|"):
        return options
    auto = {str(f.get("source")): str(f.get("target")) for f in checked.report.fields}
    targets = [KEEP, *spec.column_names]
    chosen: dict[str, str] = {}
    with st.expander(t("imp.fields", lang), expanded=not checked.report.ok):
        st.caption(t("imp.fields.caption", lang, layer=md_text(layer_label(options.layer,
                                                                           lang))))
        cols = st.columns(3)
        for pos, column in enumerate(checked.columns):
            default = auto.get(column, KEEP)
            key = _state.field_key(digest, pos)
            if st.session_state.get(key) not in targets:
                st.session_state[key] = default if default in targets else KEEP
            target = cols[pos % 3].selectbox(
                md_text(column), targets, key=key,
                format_func=lambda c: t("imp.fields.keep", lang) if c == KEEP else _target(
                    c, spec, lang))
            if target != auto.get(column, KEEP):
                chosen[column] = target or column
        filled = set(auto.values()) | set(checked.columns) | set(chosen.values())
        constants = _constant_widgets([c for c in spec.column_names if c not in filled],
                                      spec, digest, lang)
    return dataclasses.replace(
        options, field_map={**dict(checked.plan.options.field_map), **chosen},
        constants=constants)


def _constant_widgets(missing: list[str], spec: object, digest: str, lang: Lang
                      ) -> dict[str, str]:
    """A text box per layer field the file does not fill: one value for every feature."""
    if not missing:
        return {}
    st.caption(t("imp.constants.caption", lang))
    cols = st.columns(3)
    values: dict[str, str] = {}
    for pos, column in enumerate(missing):
        value = cols[pos % 3].text_input(_target(column, spec, lang),
                                         key=_state.constant_key(digest, column))
        if (value or "").strip():
            values[column] = value.strip()
    return values


def _target(column: str, spec: object, lang: Lang) -> str:
    cspec = spec.column(column)  # type: ignore[attr-defined]
    return f"{column} · {cspec.zh if lang == Lang.ZH else cspec.en}"


def _progress(lang: Lang) -> Callable[[str, float], None]:
    bar = st.progress(0.0, text=t("imp.checking", lang))

    def step(name: str, fraction: float) -> None:
        key = f"imp.step.{name}"
        text = t(key, lang) if key in TEXT else name
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

    return step


def _run_check(upload: UploadedFile | None, options: ImportOptions | None, location: str,
               lang: Lang) -> CheckedImport | None:
    """Check the upload now; on a GeoAppError say why (no report is kept)."""
    if upload is None or options is None:
        return None
    _state.set_checked(None)
    try:
        checked = check_upload(upload.getvalue(), upload.name, location, options,
                               progress=_progress(lang))
    except GeoAppError as exc:
        st.error(md_text(exc))
        return None
    _state.set_checked(checked)
    st.rerun()  # draw the field mapping (above the button) for the checked file
    return checked


def _confirm(checked: CheckedImport, upload: UploadedFile | None, lang: Lang) -> None:
    """The officer and the confirm button (enabled for a fresh report without errors)."""
    report = checked.report
    officer = st.text_input(t("imp.officer", lang), key=ImportKey.OFFICER)
    ready = upload is not None and report.ok and bool((officer or "").strip())
    if report.ok and upload is not None and not (officer or "").strip():
        st.caption(t("imp.confirm.need_officer", lang))
    if not st.button(t("imp.confirm", lang), key=ImportKey.CONFIRM, type="primary",
                     disabled=not ready, help=t("imp.confirm.help", lang)):
        return
    if upload is None:
        return
    try:
        outcome = confirm_upload(checked, upload.getvalue(), upload.name, officer,
                                 progress=_progress(lang))
    except GeoAppError as exc:
        st.error(f"{t('imp.refused', lang)}\n\n{md_text(exc)}")
        return
    if outcome.report is None:
        _state.set_checked(outcome.rechecked)
        _state.set_flash("warning", t("imp.changed", lang))
        st.rerun()
    loaders.note_write()  # every page reads the store again (a database's token changes)
    _state.set_checked(None)  # a second click must not import the file twice
    done = outcome.report
    _state.set_flash("success", t("imp.done", lang, written=f"{done.written:,}",
                                  layer=md_text(done.layer), source=md_text(done.source),
                                  officer=md_text(officer.strip())))
    st.rerun()
