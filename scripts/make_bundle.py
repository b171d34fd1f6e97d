"""Make the offline install bundle: ``python scripts/make_bundle.py [--out dist/bundle]``.

Run it on a machine with the package registry (and the same Python minor version and CPU
as the intranet server). It writes ``dist/bundle/`` — the geo_app wheel, ``wheelhouse/``
with every dependency, ``install.sh`` — and ``dist/geo_app-<version>-bundle-…tar.gz``.
On the server: ``tar xzf geo_app-…tar.gz && geo_app-<version>-bundle/install.sh /opt/geo-app``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from geo_app.deploy.bundle import BundleError, make_bundle

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "bundle",
                        help="bundle folder (emptied first); the .tar.gz goes beside it")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    args = parser.parse_args(argv)
    start = time.monotonic()
    print(f"Making the offline bundle in {args.out} (wheel, then every dependency)…")
    try:
        bundle = make_bundle(ROOT, args.out, archive=not args.no_archive)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size_mb = sum(p.stat().st_size for p in bundle.wheels) / 1e6
    print(f"  {bundle.wheel.name} ({bundle.wheel.stat().st_size / 1e3:.0f} kB)")
    print(f"  wheelhouse: {len(bundle.wheels)} wheels, {size_mb:.0f} MB")
    if bundle.archive is not None:
        print(f"  {bundle.archive} ({bundle.archive.stat().st_size / 1e6:.0f} MB)")
    print(f"Done in {time.monotonic() - start:.0f} s. On the server: tar xzf the archive, "
          "then <folder>/install.sh /opt/geo-app")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
