"""Write the illustrative DEM and land-cover COGs from the sample layers (deterministic).

Usage: python scripts/generate_rasters.py [LAYERS.gpkg] [OUT_DIR]
(default: layers/suizhou.gpkg → layers/). Run after scripts/generate_layers.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from geo_app.sample.rasters import write_sample_rasters

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> None:
    gpkg = Path(argv[0]) if argv else ROOT / "layers" / "suizhou.gpkg"
    out_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "layers"
    for kind, path in write_sample_rasters(gpkg, out_dir).items():
        print(f"{kind}: {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main(sys.argv[1:])
