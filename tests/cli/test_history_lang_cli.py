"""``geo-app history`` of an id that is no parcel: in the user's language, terminal-safe."""

from __future__ import annotations


def test_an_unknown_parcel_in_chinese_and_english(run_cli, sample_gpkg):
    res = run_cli("--lang", "zh", "history", "QC\x1b[2J9", "--store", str(sample_gpkg))
    assert res.code == 2
    assert "地块图层中没有地块" in res.err and "\x1b" not in res.err
    assert "QC\\x1b[2J9" in res.err
    res = run_cli("--lang", "en", "history", "QC9-99", "--store", str(sample_gpkg))
    assert res.code == 2 and "No parcel QC9-99 in the parcels layer" in res.err
