"""The code's layout: no import circle among the project's modules, and data flows one way
through the layers (index -> retrieval -> compose -> jobs -> core -> app/cli/evaluation).

Every import counts, also those inside functions and under `TYPE_CHECKING`: a circle that only
type checkers or late imports see still ties the modules together for a reader."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "index")

# A module may import modules of its own layer or of lower layers only.
LAYERS = [
    {"assistant.models", "assistant.settings", "assistant.errors", "assistant.citations",
     "assistant.logs", "assistant.openai_client"},
    {"index"},
    {"assistant.retrieval"},
    {"assistant.compose"},
    {"assistant.jobs"},
    {"assistant.core", "assistant.library"},
    {"assistant.app", "assistant.cli", "assistant.evaluation", "app"},
]
PUBLIC_API = "assistant"  # the package itself re-exports Assistant and the models: above everything


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    files = [ROOT / "app.py", *(f for pkg in PACKAGES for f in (ROOT / pkg).rglob("*.py"))]
    return {module_name(f): f for f in files}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import mod" imports the module pkg.mod when there is one, else pkg itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def import_graph() -> nx.DiGraph:
    modules = project_modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in imports_of(name, path, set(modules)))
    return graph


def layer_of(module: str) -> int:
    if module == PUBLIC_API:
        return len(LAYERS)
    for rank, layer in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in layer):
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def test_the_graph_sees_the_project():
    graph = import_graph()
    assert {"assistant.core", "assistant.jobs.positions", "index.builder", "app"} <= set(graph)
    assert graph.has_edge("assistant.core", "assistant.retrieval.hybrid")
    assert graph.has_edge("assistant.cli.jobs", "assistant.cli.common")


def test_no_import_circle():
    cycles = list(nx.simple_cycles(import_graph()))
    assert not cycles, "import circles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_imports_flow_down_the_layers():
    upward = [f"{s} (layer {layer_of(s)}) -> {t} (layer {layer_of(t)})"
              for s, t in sorted(import_graph().edges) if layer_of(t) > layer_of(s)]
    assert not upward, "a lower layer imports a higher one: " + "; ".join(upward)
