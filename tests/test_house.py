"""The house's floors, read from the code: who may import whom, and no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

from geo.settings import PROJECT_ROOT

# Top floor first. A module may import from its own floor or any floor below, never above.
FLOORS = {
    "app": 1, "pages": 1, "api": 1, "reports": 1,
    "layers": 2, "queries": 2,
    "etl": 3, "boundaries": 3,
    "geo": 4, "stats": 4,
}
NOT_CODE = {"tests", "bench", "migrations", "docs", "static"}


def _modules() -> dict[str, Path]:
    found = {"app": PROJECT_ROOT / "app.py"}
    tops = [d for d in PROJECT_ROOT.iterdir() if d.is_dir() and (d / "__init__.py").exists()
            and not d.name.startswith(".") and d.name not in NOT_CODE]
    for path in (p for top in tops for p in top.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Project modules ``name`` imports anywhere in its file (deferred imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, set(modules)) for name, path in modules.items()}


def test_every_top_level_package_has_a_floor():
    packages = {name.split(".")[0] for name in _modules()}
    assert packages - set(FLOORS) == set(), "add the new package to FLOORS (and to docs/architecture.md)"


def test_no_module_imports_from_a_floor_above_its_own():
    upward = sorted((name, target) for name, targets in _graph().items() for target in targets
                    if FLOORS.get(target.split(".")[0], 0) < FLOORS.get(name.split(".")[0], 0))
    assert upward == []


def test_layers_and_statistics_import_no_database_and_no_streamlit():
    for path in [*PROJECT_ROOT.glob("layers/*.py"), *PROJECT_ROOT.glob("stats/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                 for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert not names & {"sqlalchemy", "psycopg", "streamlit"}, path


def test_there_is_no_import_cycle_between_project_modules():
    graph = _graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            # a package's __init__ re-exporting its own modules is not a cycle of the design
            if target.startswith(node + ".") or node.startswith(target + "."):
                continue
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
