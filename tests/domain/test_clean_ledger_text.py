"""Free text at the ledger's door: what is refused, with which message, and what is kept."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from geo_app.domain.ledger_text import LEDGER_TEXT_MAX_CHARS, clean_ledger_text
from geo_app.domain.stages import ParcelStage
from geo_app.domain.workflow import ParcelState, StageChange, check_change, clean_change
from geo_app.errors import InputError

S = ParcelStage
TODAY = dt.date(2022, 1, 31)
AT_SURVEY = ParcelState("QC2-19", S.STATUS_SURVEY, dt.date(2021, 11, 25), 2)


def _refusal(field: str, value: str, max_chars: int = 100) -> InputError:
    with pytest.raises(InputError) as err:
        clean_ledger_text(field, value, max_chars=max_chars)
    return err.value


def test_an_escape_sequence_is_refused_naming_field_character_and_position():
    err = _refusal("officer", "王\x1b[2J")
    assert str(err) == (
        "The officer's name contains a control character (U+001B ESC) at position 2. "
        "Remove it (retype the text rather than pasting it) and try again.")
    assert err.code == "text.control_character"
    assert err.params == {"field": "officer", "char": "U+001B ESC", "position": 2}


@pytest.mark.parametrize(("char", "name"), [
    ("\x00", "U+0000 NUL"), ("\x07", "U+0007 BEL"), ("\x7f", "U+007F DEL"),
    ("\x85", "U+0085 NEL"), ("\x9b", "U+009B CSI"),
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"), ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    ("\u2028", "U+2028 LINE SEPARATOR"), ("\ud800", "U+D800 SURROGATE"),
])
@pytest.mark.parametrize("field", ["officer", "evidence", "note", "correction_reason"])
def test_control_bidi_and_separator_characters_are_refused_in_every_field(field, char, name):
    err = _refusal(field, f"ab{char}cd", max_chars=2000)
    assert err.params["char"] == name and err.params["position"] == 3


@pytest.mark.parametrize("field", ["officer", "evidence"])
@pytest.mark.parametrize(("char", "name"), [("\n", "U+000A LF"), ("\t", "U+0009 TAB"),
                                            ("\r", "U+000D CR")])
def test_one_line_fields_refuse_line_breaks_and_tabs_inside(field, char, name):
    err = _refusal(field, f"李{char}敏")
    assert err.params == {"field": field, "char": name, "position": 2}


@pytest.mark.parametrize("field", ["note", "correction_reason"])
def test_multiline_fields_keep_line_breaks_and_tabs_with_crlf_made_lf(field):
    text = "第一行\r\n第二行\t附件\r第三行"
    assert clean_ledger_text(field, text, max_chars=2000) == "第一行\n第二行\t附件\n第三行"


def test_surrounding_whitespace_is_stripped_including_ideographic_spaces():
    assert clean_ledger_text("officer", " \u3000李敏\t\n ", max_chars=100) == "李敏"
    assert clean_ledger_text("note", "\n\n备注\n", max_chars=2000) == "备注"
    assert clean_ledger_text("note", None, max_chars=2000) == ""


def test_a_control_character_at_the_edge_is_refused_not_stripped():
    # FS..US and NEL count as whitespace for str.strip(); they must not slip through
    assert _refusal("officer", "李敏\x1f").params["char"] == "U+001F US"
    assert _refusal("officer", "\x85李敏").params["position"] == 1


def test_text_is_nfc_normalised():
    decomposed = "Ame\u0301lie"  # e + combining acute
    assert clean_ledger_text("officer", decomposed, max_chars=100) == "Am\u00e9lie"
    assert unicodedata.is_normalized("NFC", clean_ledger_text("officer", decomposed,
                                                              max_chars=100))


def test_too_long_text_is_refused_with_length_and_limit():
    err = _refusal("officer", "张" * 101)
    assert err.code == "text.too_long"
    assert err.params == {"field": "officer", "length": 101, "max_chars": 100}
    assert "is 101 characters long; at most 100" in str(err)
    assert clean_ledger_text("officer", "张" * 100, max_chars=100) == "张" * 100


def test_limits_are_the_documented_ones():
    assert LEDGER_TEXT_MAX_CHARS == {"parcel_id": 100, "officer": 100, "evidence": 200,
                                     "note": 2000, "correction_reason": 2000}


@pytest.mark.parametrize("text", [
    "欧阳·娜娜", "李敏（代）", "随高新征〔2021〕301号", "《补偿安置方案》第3条；见附件—A/B",
    "O'Brien, J. & Co. <draft> 100% \"ok\" #1 @home", "😀 emoji", "Ｑ２－１９ 全角",
])
def test_chinese_names_and_ordinary_punctuation_are_kept_as_typed(text):
    assert clean_ledger_text("evidence", text, max_chars=200) == text


def test_check_change_refuses_bad_text_in_each_field_before_the_workflow():
    base = dict(parcel_id="QC2-19", from_stage=S.STATUS_SURVEY, to_stage=S.RISK_ASSESSMENT,
                effective_date=dt.date(2021, 12, 2), officer="李敏")
    cases = {
        "officer": dict(officer="\x1b[2J"),
        "note": dict(note="a\x00b"),
        "evidence": dict(evidence="x" * 201),
        "correction_reason": dict(is_correction=True, correction_reason="\u202eevil"),
    }
    for field, extra in cases.items():
        with pytest.raises(InputError) as err:
            check_change(StageChange(**{**base, **extra}), AT_SURVEY, today=TODAY)
        assert err.value.params["field"] == field


def test_a_parcel_id_with_a_control_character_is_refused():
    change = StageChange("QC2-19\x00", S.STATUS_SURVEY, S.RISK_ASSESSMENT, TODAY, "李敏")
    with pytest.raises(InputError, match="parcel id contains a control character"):
        check_change(change, AT_SURVEY, today=TODAY)


def test_clean_change_returns_the_text_as_stored():
    change = StageChange("QC2-19", S.STATUS_SURVEY, S.RISK_ASSESSMENT, TODAY, "  李敏 ",
                         note=" 完成\r\n ", evidence="   ", correction_reason="")
    clean = clean_change(change)
    assert (clean.officer, clean.note, clean.evidence, clean.correction_reason) == (
        "李敏", "完成", None, None)
    assert clean.parcel_id == "QC2-19" and clean.to_stage is S.RISK_ASSESSMENT
