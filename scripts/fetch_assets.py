"""Fetch the map's JavaScript and CSS into ``static/vendor/`` (run once, at set-up time).

Each package pinned in ``geo_app.maps.assets.NPM_PACKAGES`` is downloaded with
``npm pack`` from the npm registry npm is configured for, its sha512 checked against
the pinned integrity, and only the listed files are extracted. After this the app's
maps need no internet.

Without internet on the target machine, run ``npm pack leaflet@1.9.4 jquery@3.7.1``
elsewhere, copy the ``.tgz`` files over and pass ``--tarballs DIR``.

    python scripts/fetch_assets.py [--tarballs DIR] [--dest DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from geo_app.errors import AssetError
from geo_app.maps.assets import MANIFEST_NAME, NPM_PACKAGES, NpmPackage, ensure_assets, vendor_dir

NPM_TIMEOUT_S = 300


def integrity_of(data: bytes) -> str:
    """The npm ``integrity`` string (sha512, base64) of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def npm_pack(pkg: NpmPackage, workdir: Path) -> Path:
    """Download ``pkg``'s tarball with ``npm pack`` into ``workdir``."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("npm is not installed; install Node.js/npm or use --tarballs DIR.")
    try:
        done = subprocess.run(
            [npm, "pack", pkg.spec, "--json", "--pack-destination", str(workdir)],
            cwd=workdir, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssetError(f"`npm pack {pkg.spec}` took over {NPM_TIMEOUT_S} s.") from exc
    if done.returncode != 0:
        raise AssetError(f"`npm pack {pkg.spec}` failed: {done.stderr.strip()[-800:]}")
    filename = json.loads(done.stdout)[0]["filename"]
    return workdir / Path(filename).name


def tarball_for(pkg: NpmPackage, tarballs: Path | None, workdir: Path) -> bytes:
    if tarballs is None:
        return npm_pack(pkg, workdir).read_bytes()
    path = tarballs / f"{pkg.name.lstrip('@').replace('/', '-')}-{pkg.version}.tgz"
    if not path.is_file():
        raise AssetError(f"{path} not found; create it with `npm pack {pkg.spec}`.")
    return path.read_bytes()


def extract(pkg: NpmPackage, data: bytes, dest: Path) -> dict[str, str]:
    """Write the listed files of the verified tarball; return path → sha256."""
    if integrity_of(data) != pkg.integrity:
        raise AssetError(
            f"{pkg.spec}: tarball integrity {integrity_of(data)} does not match the pinned "
            f"{pkg.integrity}. Refusing to use it."
        )
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tgz = Path(tmp) / "pkg.tgz"
        tgz.write_bytes(data)
        with tarfile.open(tgz, "r:gz") as tar:
            for inner, rel in pkg.files.items():
                member = tar.extractfile(f"package/{inner}")
                if member is None:
                    raise AssetError(f"{pkg.spec} has no file {inner}.")
                content = member.read()
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                hashes[rel] = hashlib.sha256(content).hexdigest()
    return hashes


def fetch_assets(dest: Path, *, tarballs: Path | None = None) -> dict[str, object]:
    """Fetch, verify and extract every pinned package; write and return the manifest."""
    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"packages": {}, "files": {}}
    with tempfile.TemporaryDirectory() as work:
        for pkg in NPM_PACKAGES:
            data = tarball_for(pkg, tarballs, Path(work))
            manifest["files"].update(extract(pkg, data, dest))  # type: ignore[union-attr]
            manifest["packages"][pkg.name] = pkg.version  # type: ignore[index]
            print(f"  {pkg.spec}: {len(pkg.files)} files, integrity ok")
    (dest / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    ensure_assets(dest)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=vendor_dir(),
                        help="target folder (default: static/vendor beside app.py)")
    parser.add_argument("--tarballs", type=Path, default=None,
                        help="folder of `npm pack` .tgz files to use instead of the registry")
    args = parser.parse_args(argv)
    print(f"Fetching map assets into {args.dest}")
    try:
        fetch_assets(args.dest, tarballs=args.tarballs)
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("Done: the maps can now be served with no internet.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
