"""The form that records a parcel's next stage (or a correction), and what submitting does.

:func:`geo_app.storage.events.record_stage_change` checks the workflow and the version;
the form only offers what it would accept (the next stage; any other stage only as a
correction) and shows its refusal, in the user's language
(:func:`geo_app.domain.messages.render`), right under the button; the message of a change
just recorded appears there too.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo_app.domain.messages import render
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import derive_states, steps_between
from geo_app.errors import GeoAppError
from geo_app.storage import open_store
from geo_app.storage.events import record_stage_change
from geo_app.ui import loaders
from geo_app.ui.i18n import Lang, t
from geo_app.ui.state import Key
from geo_app.ui.text import md_text


def stage_form(location: str, pid: str, history: pd.DataFrame, lang: Lang) -> None:
    """The form for ``pid`` at the version of ``history``; records on submit."""
    _reset_form_state(pid)
    state_now = derive_states(history).get(pid)
    current = state_now.stage if state_now else None
    version = state_now.version if state_now else 0
    seen = st.session_state.get(Key.ACQ_SEEN)
    seen_version = seen[1] if isinstance(seen, tuple) and seen[0] == pid else version
    st.markdown(f"**{t('acq.form.title', lang)}**")
    correction = st.checkbox(t("acq.form.correction", lang), key=Key.ACQ_CORRECTION)
    options = stage_options(current, correction=correction)
    if not options:
        _show_flash(st.empty(), pid, version)
        st.info(t("acq.form.final", lang))
        st.session_state[Key.ACQ_SEEN] = (pid, version)
        return
    next_stage = steps_between(current, STAGE_ORDER[-1])[:1]
    _ensure_value(Key.ACQ_TO_STAGE, list(options),
                  next_stage[0] if next_stage and next_stage[0] in options else options[0])
    today = dt.date.today()
    earliest = state_now.stage_date if state_now and state_now.stage_date else None
    earliest = earliest or dt.date(1990, 1, 1)
    days = st.session_state.get(Key.ACQ_DATE)
    if not isinstance(days, dt.date) or not earliest <= days <= today:
        st.session_state[Key.ACQ_DATE] = today
    for key in (Key.ACQ_OFFICER, Key.ACQ_NOTE, Key.ACQ_EVIDENCE, Key.ACQ_REASON):
        _ensure_value(key, None, "")
    with st.form(Key.ACQ_FORM, border=True):  # its values are read in _on_submit
        st.selectbox(t("acq.form.to_stage", lang), options, key=Key.ACQ_TO_STAGE,
                     help=t("acq.form.to_stage.help", lang),
                     format_func=lambda s: ParcelStage(s).label(lang))
        date_col, officer_col = st.columns(2)
        date_col.date_input(t("acq.form.date", lang), max_value=today, min_value=earliest,
                            key=Key.ACQ_DATE, help=t("acq.form.date.help", lang),
                            format="YYYY-MM-DD")
        officer_col.text_input(t("acq.form.officer", lang), key=Key.ACQ_OFFICER)
        st.text_input(t("acq.form.evidence", lang), key=Key.ACQ_EVIDENCE)
        st.text_area(t("acq.form.note", lang), key=Key.ACQ_NOTE, height=68)
        if correction:
            st.text_input(t("acq.form.reason", lang), key=Key.ACQ_REASON)
        st.form_submit_button(t("acq.form.submit", lang), type="primary", key=Key.ACQ_SUBMIT,
                              on_click=_on_submit, args=(location, pid, seen_version, lang))
        message = st.empty()  # the answer to this button, right under it
        st.caption(t("acq.form.based_on", lang, version=version))
    refused = st.session_state.get(Key.ACQ_REFUSED)  # until the next press, like a success
    if isinstance(refused, tuple) and refused[0] == pid:
        message.error(refused[1])
    else:
        st.session_state.pop(Key.ACQ_REFUSED, None)
        _show_flash(message, pid, version)
    st.session_state[Key.ACQ_SEEN] = (pid, version)


def _reset_form_state(pid: str) -> None:
    """Empty the form for a new parcel, or after a recorded change (the officer stays).

    Values are set, not deleted: only a value set in the session state reaches a widget
    the browser already shows.
    """
    if (st.session_state.get(Key.ACQ_FORM_PARCEL) != pid
            or st.session_state.pop(Key.ACQ_RESET_FORM, False)):
        for key in (Key.ACQ_NOTE, Key.ACQ_EVIDENCE, Key.ACQ_REASON):
            st.session_state[key] = ""
        st.session_state[Key.ACQ_CORRECTION] = False
        st.session_state[Key.ACQ_DATE] = dt.date.today()
        st.session_state.pop(Key.ACQ_TO_STAGE, None)
        st.session_state[Key.ACQ_FORM_PARCEL] = pid


def _ensure_value(key: Key, allowed: list[object] | None, default: object) -> None:
    """Give a widget ``default`` when it has no value yet, or one no longer allowed."""
    value = st.session_state.get(key)
    if value is None or (allowed is not None and value not in allowed):
        st.session_state[key] = default


def stage_options(current: ParcelStage | None, *, correction: bool) -> list[ParcelStage]:
    """The stages the form offers: the next one only (the workflow refuses any other), or
    every other stage for a correction; none after the last stage unless correcting."""
    if correction:
        return [s for s in STAGE_ORDER if s is not current]
    if current is STAGE_ORDER[-1]:
        return []
    return steps_between(current, STAGE_ORDER[-1])[:1]


def _show_flash(slot: DeltaGenerator, pid: str, version: int) -> None:
    """The message of the change just recorded, while the parcel is still at that version
    and no other change was tried (the map redrawn with the new stage reruns the page by
    itself, so a message shown only once would flash by)."""
    flash = st.session_state.get(Key.ACQ_FLASH)
    if isinstance(flash, tuple) and flash[:2] == (pid, version):
        slot.success(flash[2])
    else:
        st.session_state.pop(Key.ACQ_FLASH, None)


def _on_submit(location: str, pid: str, seen_version: int, lang: Lang) -> None:
    """登记 pressed: record the change from the form's values, before the page is drawn.

    A callback, not ``if submitted:`` in the page: Streamlit runs it as the run with the
    press starts, so a rerun the map asks for meanwhile cannot stop the run before the press
    is handled (it was lost that way: the form still filled, nothing recorded).
    """
    state = st.session_state
    state.pop(Key.ACQ_REFUSED, None)
    correction = bool(state.get(Key.ACQ_CORRECTION))
    refused = _submit(location, pid, ParcelStage(state[Key.ACQ_TO_STAGE]),
                      state.get(Key.ACQ_DATE), state.get(Key.ACQ_OFFICER) or "",
                      state.get(Key.ACQ_NOTE) or "", state.get(Key.ACQ_EVIDENCE) or "",
                      (state.get(Key.ACQ_REASON) or "") if correction else None,
                      seen_version, lang)
    if refused:
        state[Key.ACQ_REFUSED] = (pid, refused)


def _submit(location: str, pid: str, to_stage: ParcelStage, day: dt.date | None,
            officer: str, note: str, evidence: str, reason: str | None, seen_version: int,
            lang: Lang) -> str | None:
    """Record the change (the page then shows it and every view reads the store again); or
    return why not, as markdown in ``lang``."""
    st.session_state.pop(Key.ACQ_FLASH, None)
    store = open_store(location)
    try:
        recorded = record_stage_change(
            store, pid, to_stage, effective_date=day, officer=officer or "", note=note or "",
            evidence=evidence or None,
            correction_reason=(reason or "") if reason is not None else None,
            expected_version=seen_version)
    except GeoAppError as exc:
        return f"{t('acq.form.refused', lang)}\n\n{md_text(render(exc, lang))}"
    finally:
        store.close()
    loaders.note_write()  # every page reads the store again (a database's token changes)
    st.session_state[Key.ACQ_FLASH] = (pid, seen_version + 1, t(
        "acq.form.done", lang, parcel=md_text(pid), stage=to_stage.label(lang),
        date=str(recorded["effective_date"].iloc[0]), version=seen_version + 1))
    st.session_state[Key.ACQ_RESET_FORM] = True
    return None
