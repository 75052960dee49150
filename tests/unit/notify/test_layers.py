"""The web process's layers, as cosmicpython draws them: use cases know no HTTP, routers and desk handlers
are adapters over them, and no router reaches into another (a deferred import was how cycles hid)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.settings import REPO_ROOT

WEB = REPO_ROOT / "services" / "agency_api"


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, id(node) in top))
    return out


@pytest.mark.parametrize("path", sorted((WEB / "application").glob("*.py")), ids=lambda p: p.name)
def test_use_cases_know_no_http(path):
    web = [m for m, _ in imports(path) if m.split(".")[0] in ("fastapi", "starlette", "jinja2")
           or m.startswith("services.agency_api.routers")]
    assert web == []


@pytest.mark.parametrize("path", sorted((WEB / "routers").glob("*.py")), ids=lambda p: p.name)
def test_routers_reach_no_other_router_behind_a_deferred_import(path):
    deferred = [m for m, top in imports(path) if not top and m.startswith("services.agency_api.routers")]
    assert deferred == []


def test_no_import_cycle_among_our_modules():
    """Module-level imports between our packages form no cycle (a cycle is what deferred imports hide)."""
    modules = {".".join(f.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__"): f
               for pkg in ("services", "shared", "pantau") for f in (REPO_ROOT / pkg).rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                deps |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
        graph[name] = {d for d in deps if d in modules and d != name}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []
