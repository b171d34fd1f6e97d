"""Every brief rendered from the bundled store, to PDF and PNG, its figures checked against
independent computations (shapely areas and distances in EPSG:4547, the ledger replayed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pytest
import shapely
from pypdf import PdfReader

from geo_app.briefs import (
    BriefData,
    PageSize,
    park_brief,
    progress_brief,
    render_pages,
    village_brief,
)
from geo_app.maps.style import LAYER_STYLES
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore

GK_ZONE_38 = 4547
M2_PER_MU = 10000.0 / 15.0
TODAY = dt.date(2021, 12, 31)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _plane(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(GK_ZONE_38)


def _png(path: Path) -> np.ndarray:
    return mpimg.imread(path)[..., :3]


def _not_blank(pixels: np.ndarray) -> None:
    non_white = (pixels < 0.95).any(axis=2).mean()
    assert non_white > 0.10, f"only {non_white:.1%} of the page is drawn"
    assert len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50


def _legend_region_drawn(pixels: np.ndarray, layer: str, key: str | None) -> None:
    """The right-hand panel (where the legend is) holds the swatch of a drawn class, in the
    interactive map's colour and opacity (over white)."""
    h, w, _ = pixels.shape
    panel = pixels[int(0.30 * h):int(0.75 * h), int(0.655 * w):int(0.97 * w)]
    assert (panel < 0.9).any(axis=2).mean() > 0.02, "legend panel is empty"
    style = LAYER_STYLES[layer]
    s = style.classes[key] if key is not None else style.other
    colour = np.array([int(s.fill_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = s.fill_opacity * colour + (1 - s.fill_opacity)
    near = (np.abs(panel - rgb) < 0.04).all(axis=2).sum()
    assert near > 20, f"no {s.fill_color} swatch of {layer}/{key} in the legend region"


# --- village ------------------------------------------------------------------------------


def test_village_brief_pdf_has_the_villages_figures(brief_data: BriefData,
                                                    tmp_path: Path) -> None:
    villages = brief_data.layer("villages")
    row = villages[villages["name"] == "挑水村"].iloc[0]
    area_mu = shapely.area(_plane(villages[villages["name"] == "挑水村"]).geometry.iloc[0]) \
        / M2_PER_MU
    roads = _plane(brief_data.layer("roads"))
    loop_m = _plane(villages[villages["name"] == "挑水村"]).geometry.iloc[0].distance(
        roads[roads["kind"] == "tourism_loop"].geometry.union_all())
    out = tmp_path / "v.pdf"
    render_pages([village_brief(brief_data, "挑水村", lang="zh", today=TODAY)], out)
    text = _pdf_text(out)
    assert "挑水村 村庄简报" in text
    assert f"{int(row['population']):,} 人" in text
    assert f"{area_mu:,.2f} 亩" in text
    assert f"{loop_m:,.0f} 米" in text
    assert "二期示范工程" in text and "淅河镇" in text
    assert "EPSG:4547" in text and "示例数据为示意性图形" in text
    assert "2021-12-31" in text


def test_village_brief_table_lists_the_nearest_villages(brief_data: BriefData) -> None:
    villages = _plane(brief_data.layer("villages"))
    here = villages[villages["name"] == "新店村"].geometry.iloc[0]
    others = villages[villages["name"] != "新店村"]
    dist = others.geometry.distance(here).to_numpy()
    expected = list(others["name"].to_numpy()[np.argsort(dist, kind="stable")][:6])
    page = village_brief(brief_data, "新店村", lang="zh", today=TODAY)
    assert page.table is not None
    assert list(page.table.iloc[:, 0]) == expected
    assert list(page.table.iloc[:, 3]) == sorted(page.table.iloc[:, 3])


def test_village_brief_png_in_english_is_drawn_with_legend(brief_data: BriefData,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "v.png"
    render_pages([village_brief(brief_data, "Tiaoshui", lang="en", today=TODAY)], out)
    pixels = _png(out)
    # A4 landscape (297 × 210 mm) at 150 dpi
    assert pixels.shape[:2] == (int(210 / 25.4 * 150), int(297 / 25.4 * 150))
    _not_blank(pixels)
    _legend_region_drawn(pixels, "facilities", "sewage_plant")


# --- park ---------------------------------------------------------------------------------


def test_park_brief_pdf_has_coverage_computed_independently(brief_data: BriefData,
                                                            tmp_path: Path) -> None:
    parks = _plane(brief_data.layer("parks"))
    park = parks[parks["name"] == "青春化工园"].geometry.iloc[0]
    parcels = _plane(brief_data.layer("parcels")).geometry
    covered = shapely.intersection(park, shapely.union_all(parcels.to_numpy()))
    area_mu, covered_mu = park.area / M2_PER_MU, covered.area / M2_PER_MU
    projects = brief_data.layer("projects")
    n_projects = int((projects["park"] == "青春化工园").sum())
    out = tmp_path / "p.pdf"
    page = park_brief(brief_data, "青春化工园", lang="zh", today=TODAY)
    render_pages([page], out)
    text = _pdf_text(out)
    assert "青春化工园 园区简报" in text
    assert f"{area_mu:,.2f} 亩" in text
    assert f"{covered_mu:,.2f} 亩" in text
    assert f"{covered_mu / area_mu:.1%}" in text
    assert dict(page.figures)["登记项目"] == str(n_projects)
    # the table's stages add up to the covered area (the parcels do not overlap)
    assert page.table is not None
    assert page.table.iloc[:, 2].sum() == pytest.approx(covered_mu, rel=1e-9)


def test_park_brief_png_slide_is_1920_by_1080(brief_data: BriefData, tmp_path: Path) -> None:
    out = tmp_path / "p.png"
    render_pages([park_brief(brief_data, "青春化工园", lang="zh", today=TODAY)], out,
                 size=PageSize.SLIDE)
    pixels = _png(out)
    assert pixels.shape[:2] == (1080, 1920)
    _not_blank(pixels)
    _legend_region_drawn(pixels, "parcels", "net_land")


# --- progress -----------------------------------------------------------------------------


def _net_land_mu_on(brief_data: BriefData, day: dt.date | None) -> dict[int, float]:
    """Net land (净地 or 供地) per phase, replaying the ledger by hand."""
    parcels = brief_data.layer("parcels")
    stage = dict(zip(parcels["id"], parcels["stage"], strict=True))
    if day is not None:
        stage = {}
        ledger = GeoPackageStore(BUNDLED_LAYERS).read_events()  # the briefs ask the store
        events = ledger.sort_values(["effective_date", "recorded_at", "event_id"])
        for ev in events.itertuples():
            if dt.date.fromisoformat(str(ev.effective_date)[:10]) <= day:
                stage[ev.parcel_id] = ev.to_stage
    area = _plane(parcels).geometry.area.to_numpy() / M2_PER_MU
    out: dict[int, float] = {}
    for pid, phase, mu in zip(parcels["id"], parcels["phase"], area, strict=True):
        if stage.get(pid) in ("net_land", "supplied"):
            out[int(phase)] = out.get(int(phase), 0.0) + mu
        out.setdefault(int(phase), out.get(int(phase), 0.0))
    return out


def test_progress_brief_now_shows_1420_of_1420_mu(brief_data: BriefData,
                                                  tmp_path: Path) -> None:
    net = _net_land_mu_on(brief_data, None)
    out = tmp_path / "g.pdf"
    render_pages([progress_brief(brief_data, lang="zh", today=TODAY)], out)
    text = _pdf_text(out)
    assert f"{net[1]:,.2f} / 1,420 亩" in text
    assert f"{net[2]:,.2f} / 1,700 亩" in text
    assert "1,420.00" in text  # the article's figure, as the sample reproduces it
    assert "一期净地" in text and "二期净地" in text


def test_progress_brief_as_of_a_date_replays_the_ledger(brief_data: BriefData,
                                                        tmp_path: Path) -> None:
    day = dt.date(2021, 6, 30)
    net = _net_land_mu_on(brief_data, day)
    assert 0 < net[1] < 1420  # the date is mid-way: a real test of the replay
    out = tmp_path / "g.pdf"
    render_pages([progress_brief(brief_data, as_of=day, lang="zh", today=TODAY)], out)
    text = _pdf_text(out)
    assert f"{net[1]:,.2f} / 1,420 亩" in text
    assert "2021-06-30" in text


def test_progress_brief_png_colours_parcels_by_stage(brief_data: BriefData,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "g.png"
    render_pages([progress_brief(brief_data, as_of=dt.date(2021, 6, 30), lang="en",
                                 today=TODAY)], out)
    pixels = _png(out)
    _not_blank(pixels)
    _legend_region_drawn(pixels, "parcels", None)  # not started: grey


# --- the command --------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "suffix"), [
    (("village", "挑水村"), "pdf"), (("village", "挑水村"), "png"),
    (("park", "青春化工园"), "pdf"), (("park", "Big Data Industrial Park"), "png"),
    (("progress", "--as-of", "2021-06-30"), "pdf"), (("progress",), "png"),
])
def test_geo_app_brief_writes_each_kind(brief_cli, tmp_path: Path, args: tuple[str, ...],
                                        suffix: str) -> None:
    out = tmp_path / f"brief.{suffix}"
    res = brief_cli("brief", *args, "--out", str(out), "--store", str(BUNDLED_LAYERS))
    assert res.code == 0, res.err
    head = out.read_bytes()[:8]
    assert head.startswith(b"%PDF") if suffix == "pdf" else head == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
