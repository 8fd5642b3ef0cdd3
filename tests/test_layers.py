"""The architecture in the tree: core is pure, and imports only point down the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
#: Lower numbers sit lower; a module may import its own layer and the ones below.
LAYERS = {"core": 0, "db": 1, "io": 2, "ogc": 3, "web": 3, "cli": 3}
#: Top-level wiring modules: extensions and settings sit just above core, the factory on top.
WIRING = {"app.extensions": 1, "app.config": 0, "app": 4}
FRAMEWORKS = ("flask", "flask_", "sqlalchemy", "werkzeug", "alembic", "wtforms")
#: Framework-free modules outside core: the OGC API logic and its documents.
PURE_ELSEWHERE = ("ogc/core.py", "ogc/cql.py", "ogc/html.py", "ogc/openapi.py")


_PURE = {"app/" + p for p in PURE_ELSEWHERE}


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # from app.ogc import html: the submodule is what is imported.
            folder = APP.parent.joinpath(*node.module.split("."))
            subs = [
                a.name
                for a in node.names
                if (folder / f"{a.name}.py").exists() or (folder / a.name).is_dir()
            ]
            names += [f"{node.module}.{s}" for s in subs] or [node.module]
    return names


def _layer(module: str) -> int | None:
    if module in WIRING:
        return WIRING[module]
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    return LAYERS.get(parts[1], WIRING.get(".".join(parts[:2])))


ALL = sorted(APP.rglob("*.py"))


def test_every_module_sits_in_a_layer():
    loose = [p.name for p in APP.glob("*.py") if _module(p) not in WIRING]
    assert loose == []
    assert {
        p.name
        for p in APP.iterdir()
        if p.is_dir()
        and p.name not in ("templates", "translations")
        and not p.name.startswith("__")
    } == set(LAYERS)


@pytest.mark.parametrize(
    "path",
    [p for p in ALL if "core" in p.relative_to(APP).parts[:1]] + [APP / p for p in PURE_ELSEWHERE],
    ids=str,
)
def test_core_imports_no_framework_and_no_upper_layer(path):
    bad = [
        name
        for name in _imports(path)
        if name.split(".")[0] in FRAMEWORKS
        or name.startswith(FRAMEWORKS)
        or (
            name.startswith("app.")
            and (_layer(name) or 0) > 0
            and name.replace(".", "/") + ".py" not in _PURE
        )
    ]
    assert bad == [], f"{path.relative_to(APP)} imports {bad}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(APP)))
def test_imports_point_down(path):
    own = _layer(_module(path))
    assert own is not None
    up = [name for name in _imports(path) if (_layer(name) is not None and _layer(name) > own)]
    assert up == [], f"{path.relative_to(APP)} (layer {own}) imports {up} from above"


def test_the_rules_catch_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import request\nfrom app.db import queries\nimport app.web.api\n")
    assert _imports(bad) == ["flask", "app.db.queries", "app.web.api"]
    assert [_layer(n) for n in ("app.core.timeline", "app.db", "app.web.api", "app")] == [
        0,
        1,
        3,
        4,
    ]
