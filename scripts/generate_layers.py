"""Regenerate the bundled sample layers: ``python scripts/generate_layers.py [OUT.gpkg]``."""

from __future__ import annotations

import sys
from pathlib import Path

from geo_app.sample.generate import write_sample
from geo_app.settings import BUNDLED_LAYERS


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED_LAYERS
    data = write_sample(out)
    counts = ", ".join(f"{k} {len(v)}" for k, v in data.layers.items())
    print(f"wrote {out}: {counts}, stage_events {len(data.events)}")


if __name__ == "__main__":
    main()
