"""Dependencies point one way: domain ← analysis ← maps ← ui; storage and io beside analysis
(depending on the domain only); streamlit only in ``geo_app/ui``; the CLI library only in
the ``cli`` modules. Checked on every import statement of the package's source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "geo_app"
#: Modules every layer may use: the error hierarchy, settings, secrets masking, text escaping.
BASE = {"errors", "settings", "secrets", "textsafe"}
#: What each layer may import from the package besides itself and BASE.
ALLOWED = {
    "domain": set(),
    "analysis": {"domain"},
    "storage": {"domain"},
    "io": {"domain"},
    "maps": {"domain", "analysis"},
}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _sources(layer: str = "") -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(layer):
    allowed = ALLOWED[layer] | BASE | {layer}
    wrong = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in _sources(layer)
        for name in _imports(path)
        if name.startswith("geo_app.") and name.split(".")[1] not in allowed
    )
    assert wrong == []


def test_streamlit_only_in_the_ui_and_typer_only_in_the_cli():
    wrong = []
    for path in _sources():
        rel = path.relative_to(PACKAGE)
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "streamlit" and rel.parts[0] != "ui":
                wrong.append(f"{rel} imports {name}")
            if top == "typer" and not rel.name.startswith("cli"):
                wrong.append(f"{rel} imports {name}")
    assert wrong == []


def test_the_check_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from geo_app.analysis.area import add_areas\nimport streamlit as st\n")
    assert _imports(bad) == ["geo_app.analysis.area", "streamlit"]


def test_no_module_reaches_into_a_store_s_private_transaction():
    """Work beside a PostGIS store's methods opens ``store.transaction(what)``, never the
    private helper behind it."""
    wrong = sorted(
        str(path.relative_to(PACKAGE))
        for path in _sources()
        if path.name != "postgis.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "_begin"
    )
    assert wrong == []
