"""The analysis package stays free of the interface (STYLE: metriqr never imports streamlit)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "metriqr"
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in \
                ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_the_package_has_modules():
    assert {"cleaning.py", "columns.py", "scoring.py", "segments.py", "texts.py"} <= {p.name for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_imports_streamlit(path):
    offending = {name for name in imported_modules(path) if name.split(".")[0] == "streamlit"}
    assert not offending, f"{path.name} imports {sorted(offending)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_global_side_effects_at_import(path):
    """No process-wide switches: pandas options or silenced warnings would leak into every user's session."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in {"set_option", "filterwarnings", "simplefilter", "install"}, \
                f"{path.name}:{node.lineno} calls {node.func.attr}"


def test_the_checker_sees_every_form_of_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nfrom streamlit.runtime import x\n"
                      "def f():\n    import importlib\n    return importlib.import_module('streamlit')\n")
    assert {"streamlit", "streamlit.runtime", "importlib"} <= imported_modules(sample)
