"""Upgrade the vendored map JavaScript and CSS in ``geo_app/static/vendor/`` (needs npm).

The files are committed and ship in the wheel, so running the app never calls this. To
upgrade, change the pins in ``geo_app.maps.assets.NPM_PACKAGES`` and run it: each package
is downloaded with ``npm pack`` from the npm registry npm is configured for, its sha512
checked against the pinned integrity, only the listed files are extracted, and
``manifest.json`` records the versions, the tarball integrities and every file's sha512
(checked by ``geo_app.maps.assets.verify_assets`` and the tests). Commit the result.

Without internet on the target machine, run ``npm pack leaflet@1.9.4 jquery@3.7.1``
elsewhere, copy the ``.tgz`` files over and pass ``--tarballs DIR``.

    python scripts/fetch_assets.py [--tarballs DIR] [--dest DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from geo_app.errors import AssetError
from geo_app.maps.assets import (
    MANIFEST_NAME,
    NPM_PACKAGES,
    NpmPackage,
    file_digest,
    vendor_dir,
    verify_assets,
)

NPM_TIMEOUT_S = 300


def integrity_of(data: bytes) -> str:
    """The npm ``integrity`` string (sha512, base64) of a tarball."""
    return file_digest(data)


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
    """Write the listed files of the verified tarball; return path → sha512 digest."""
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
                hashes[rel] = file_digest(content)
    return hashes


def fetch_assets(dest: Path, *, tarballs: Path | None = None) -> dict[str, object]:
    """Fetch, verify and extract every pinned package; write and return the manifest."""
    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"packages": {}, "integrity": {}, "files": {}}
    with tempfile.TemporaryDirectory() as work:
        for pkg in NPM_PACKAGES:
            data = tarball_for(pkg, tarballs, Path(work))
            manifest["files"].update(extract(pkg, data, dest))  # type: ignore[union-attr]
            manifest["packages"][pkg.name] = pkg.version  # type: ignore[index]
            manifest["integrity"][pkg.name] = pkg.integrity  # type: ignore[index]
            print(f"  {pkg.spec}: {len(pkg.files)} files, integrity ok")
    (dest / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    verify_assets(dest)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=vendor_dir(),
                        help="target folder (default: geo_app/static/vendor)")
    parser.add_argument("--tarballs", type=Path, default=None,
                        help="folder of `npm pack` .tgz files to use instead of the registry")
    args = parser.parse_args(argv)
    print(f"Fetching map assets into {args.dest}")
    try:
        fetch_assets(args.dest, tarballs=args.tarballs)
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("Done: the maps can now be served with no internet. Commit the folder.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
