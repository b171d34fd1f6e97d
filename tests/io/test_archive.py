"""Zip safety: zip slip, bombs, damaged archives, GBK member names, upload size."""

from __future__ import annotations

import stat
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from geo_app.errors import InputError
from geo_app.io.archive import check_upload_size, extracted_zip, member_name, safe_extract
from geo_app.io.read import read_any


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """Where tempfile makes folders during the test (to prove they are removed)."""
    where = tmp_path / "tmpdirs"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _square_shapefile(folder: Path, stem: str = "地块") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame({"名称": ["东地块"]}, geometry=[box(441_000, 3_507_000, 442_000,
                                                                 3_508_000)], crs=4547)
    shp = folder / f"{stem}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="GBK")
    return shp


@pytest.mark.parametrize("evil", ["/tmp/geo_app_evil.txt", "../evil.txt", "a/../../evil.txt",
                                  "C:/evil.txt", "..\\evil.txt"])
def test_zip_slip_is_refused_and_nothing_lands_outside(tmp_path, private_tmp, evil):
    archive = _zip(tmp_path / "slip.zip", {"ok.txt": b"fine", evil: b"pwned"})
    with pytest.raises(InputError) as err:
        read_any(archive, source="slip.zip")
    message = str(err.value)
    assert message.startswith("slip.zip holds a member that is")
    assert "extracts nothing" in message and len(message.splitlines()) == 1
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/geo_app_evil.txt").exists()
    assert list(private_tmp.iterdir()) == []  # the temporary folder is gone


def test_symlink_member_is_refused(tmp_path):
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("link.shp")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(InputError, match="symbolic link"):
        safe_extract(archive, dest, max_total_bytes=10**6, max_members=10)
    assert list(dest.iterdir()) == []


def test_archive_expanding_past_the_limit_is_refused(tmp_path, private_tmp, monkeypatch):
    monkeypatch.setenv("GEO_APP_MAX_UNZIPPED_MB", "1")
    archive = _zip(tmp_path / "bomb.zip", {"zeros.geojson": b"0" * (3 * 1024 * 1024)})
    assert archive.stat().st_size < 100_000  # small on disk, big unzipped
    with pytest.raises(InputError) as err:
        read_any(archive, source="bomb.zip")
    assert str(err.value) == (
        "bomb.zip would expand to 3 MB once unzipped, more than the limit of 1 MB: send only "
        "the dataset's files, or raise the limit with GEO_APP_MAX_UNZIPPED_MB."
    )
    assert list(private_tmp.iterdir()) == []


def test_lying_central_directory_is_refused_without_writing_the_bomb(tmp_path):
    archive = _zip(tmp_path / "liar.zip", {"big.bin": b"x" * 500_000})
    data = bytearray(archive.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = (1).to_bytes(4, "little")  # "1 byte uncompressed"
    archive.write_bytes(bytes(data))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(InputError, match="liar.zip: member 'big.bin' cannot be extracted"):
        safe_extract(archive, dest, max_total_bytes=10_000, max_members=10)
    assert sum(p.stat().st_size for p in dest.rglob("*") if p.is_file()) <= 10_000


def test_too_many_members_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_APP_MAX_ZIP_MEMBERS", "3")
    archive = _zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(5)})
    with pytest.raises(InputError, match=r"holds 5 members, more than the limit of 3.*"
                                         r"GEO_APP_MAX_ZIP_MEMBERS"), extracted_zip(archive):
        pass


def test_truncated_zip_is_one_clear_error(tmp_path, private_tmp):
    shp = _square_shapefile(tmp_path / "shp")
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as zf:
        for part in sorted(shp.parent.iterdir()):
            zf.write(part, part.name)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError) as err:
        read_any(cut, source="地块.zip")
    message = str(err.value)
    assert message.startswith("地块.zip is not a readable zip archive")
    assert "damaged or truncated" in message and len(message.splitlines()) == 1
    assert list(private_tmp.iterdir()) == []


def test_corrupt_member_data_is_one_clear_error(tmp_path, private_tmp):
    archive = _zip(tmp_path / "bad.zip", {"a.geojson": b'{"type": "FeatureCollection"}' * 200})
    data = bytearray(archive.read_bytes())
    start = data.index(b"a.geojson") + len(b"a.geojson")  # the local header's name
    for i in range(start + 5, start + 40):
        data[i] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"bad.zip: member 'a.geojson' cannot be extracted"):
        read_any(archive)
    assert list(private_tmp.iterdir()) == []


def test_gbk_member_names_are_decoded(tmp_path):
    shp = _square_shapefile(tmp_path / "shp")
    archive = _gbk_named_zip(tmp_path / "gbk.zip", shp.parent)
    with zipfile.ZipFile(archive) as zf:
        names = [member_name(i) for i in zf.infolist()]
        assert all(not i.flag_bits & 0x800 for i in zf.infolist())
    assert "地块.shp" in names
    dest = tmp_path / "out"
    dest.mkdir()
    written = safe_extract(archive, dest, max_total_bytes=10**7, max_members=10)
    assert sorted(p.name for p in written) == sorted(p.name for p in shp.parent.iterdir())
    result = read_any(archive, source="gbk.zip")
    assert result.gdf["名称"].tolist() == ["东地块"]
    assert result.source == "gbk.zip"


def _gbk_named_zip(path: Path, folder: Path) -> Path:
    """A zip whose member names are GBK bytes with flag bit 11 unset."""
    placeholder = "QQQQ"  # as many bytes as 地块 in GBK; zipfile writes ASCII names unflagged
    assert len("地块".encode("gbk")) == len(placeholder)
    with zipfile.ZipFile(path, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.writestr(part.name.replace("地块", placeholder), part.read_bytes())
    path.write_bytes(path.read_bytes().replace(placeholder.encode(), "地块".encode("gbk")))
    return path


def test_nested_zip_is_not_opened(tmp_path, private_tmp):
    inner = _zip(tmp_path / "inner.zip", {"a.geojson": b"{}"})
    outer = _zip(tmp_path / "outer.zip", {"inner.zip": inner.read_bytes()})
    with pytest.raises(InputError, match=r"outer.zip holds another archive \(inner.zip\)"):
        read_any(outer)
    assert list(private_tmp.iterdir()) == []


def test_upload_size_limit(monkeypatch):
    check_upload_size(10 * 1024 * 1024)  # 10 MB: fine under the 500 MB default
    monkeypatch.setenv("GEO_APP_MAX_UPLOAD_MB", "5")
    with pytest.raises(InputError) as err:
        check_upload_size(10 * 1024 * 1024, name="大文件.zip")
    assert str(err.value) == (
        "大文件.zip is 10 MB, more than the 5 MB upload limit: send a smaller file (or a zip), "
        "or raise the limit with GEO_APP_MAX_UPLOAD_MB."
    )
