"""The shape of the code: the core imports no app, no module imports in a circle, and no import
hides inside a function to dodge one. See docs/architecture.md."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["crisis_tracker", "events", "actors", "sources", "places", "interchange", "desk", "api"]
APPS = {"events", "actors", "sources", "places", "interchange", "desk", "api"}
ASSEMBLY = {"crisis_tracker.urls", "crisis_tracker.settings"}  # they put the apps together


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imported(name: str, path: Path, node: ast.AST) -> list[str]:
    """Project modules an import statement names, relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    return [module] + [f"{module}.{alias.name}" for alias in node.names]


def imports_of(name: str, path: Path, *, nested: bool) -> list[tuple[str, int]]:
    """(module, line) for each import at module level, or (nested=True) inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    scopes = [tree] if not nested else []
    if nested:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                scopes.append(node)
    for scope in scopes:
        body = ast.walk(scope) if nested else scope.body
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found += [(module, node.lineno) for module in imported(name, path, node)]
            elif not nested and isinstance(node, ast.If):  # if TYPE_CHECKING: ...
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        found += [(m, inner.lineno) for m in imported(name, path, inner)]
    return found


def project_graph() -> dict[str, set[str]]:
    every = modules()
    graph = {}
    for name, path in every.items():
        targets = {module for module, _line in imports_of(name, path, nested=False)}
        graph[name] = {module for module in targets if module in every and module != name}
    return graph


def test_the_core_imports_no_app():
    offenders = []
    for name, path in modules().items():
        if not name.startswith("crisis_tracker") or name in ASSEMBLY:
            continue
        for nested in (False, True):
            for module, line in imports_of(name, path, nested=nested):
                if module.split(".")[0] in APPS:
                    offenders.append(f"{name}:{line} imports {module}")
    assert offenders == []


def test_no_module_imports_in_a_circle():
    graph = project_graph()
    circles = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                circles.append(" → ".join(trail[trail.index(target) :] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_no_project_import_hides_inside_a_function():
    """Except AppConfig.ready(), where Django says signal handlers are connected."""
    every = modules()
    offenders = []
    for name, path in every.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ready_lines = {
            line
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == "ready"
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        }
        for module, line in imports_of(name, path, nested=True):
            if module.split(".")[0] in set(PACKAGES) and line not in ready_lines:
                offenders.append(f"{name}:{line} imports {module}")
    assert offenders == []


def test_the_history_code_does_not_know_the_page_cache():
    graph = project_graph()
    assert "events.page_cache" not in graph["events.revisions"]
    assert "events.page_cache" not in graph["crisis_tracker.history"]


def test_the_circle_finder_finds_a_circle(monkeypatch):
    """The check above can fail: a two-module circle is reported."""
    graph = {"a": {"b"}, "b": {"a"}}
    monkeypatch.setattr(sys.modules[__name__], "project_graph", lambda: graph)
    try:
        test_no_module_imports_in_a_circle()
    except AssertionError as error:
        assert "a → b → a" in str(error)
    else:
        raise AssertionError("a circle went unnoticed")


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_listeners_import_no_page():
    """What listens to saves and signals (purges, steps, mail) reaches no view module, even
    through others: a page's key names live in crisis_tracker.surrogate_keys."""
    graph = project_graph()
    listeners = [
        name for name, path in modules().items() if "@receiver(" in path.read_text(encoding="utf-8")
    ]
    assert "events.signals" in listeners
    offenders = {
        name: sorted(m for m in reachable(graph, name) if "views" in m.split("."))
        for name in listeners
    }
    assert {name: views for name, views in offenders.items() if views} == {}


def app_graph() -> dict[str, set[str]]:
    """Which app imports which (a module of one importing a module of another)."""
    graph: dict[str, set[str]] = {app: set() for app in APPS}
    for name, targets in project_graph().items():
        source = name.split(".")[0]
        if source in APPS:
            graph[source] |= {t.split(".")[0] for t in targets if t.split(".")[0] in APPS} - {
                source
            }
    return graph


def test_no_app_imports_an_app_that_imports_it():
    """Apps sit in layers: places, sources and actors below the crisis content (events), the
    API on top. (A model may still name another app's model by string, as Participation names
    its crisis.)"""
    graph = app_graph()
    cycles = sorted(
        f"{a} ↔ {b}" for a in graph for b in graph[a] if a < b and a in graph.get(b, set())
    )
    assert cycles == []
    assert graph["actors"] == set() and graph["sources"] == set() and graph["places"] == set()


LAYERS = [  # bottom first: an app imports only apps of the layers below its own
    {"places", "sources", "actors"},
    {"events"},  # the crisis content, its public history and reader pages
    {"interchange"},  # fixture and spreadsheet imports, exports, import jobs
    {"desk", "api"},  # where editors work; the open-data API
]


def test_apps_import_only_the_layers_below():
    below: dict[str, set[str]] = {}
    lower: set[str] = set()
    for layer in LAYERS:
        for app in layer:
            below[app] = set(lower)
        lower |= layer
    assert set(below) == APPS
    graph = app_graph()
    assert {app: sorted(graph[app] - below[app]) for app in APPS if graph[app] - below[app]} == {}
