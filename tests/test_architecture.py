"""The house's rules that a reader relies on: layers import downwards, never in a circle,
and never from inside a function to dodge a circle."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "accounts"


def _module_name(path):
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module, node):
    """The absolute name `from … import …` or `import …` refers to (module-level names of a
    package count as the package itself)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module.split(".")
    package = base if _is_package(module) else base[:-1]
    if node.level:
        package = package[: len(package) - node.level + 1]
        target = ".".join(package + ([node.module] if node.module else []))
    else:
        target = node.module
    names = [f"{target}.{alias.name}" for alias in node.names]
    return [name if name in MODULES else target for name in names]


def _is_package(module):
    return (APP.parent / module.replace(".", "/") / "__init__.py").exists()


SOURCES = {
    _module_name(path): ast.parse(path.read_text())
    for path in APP.rglob("*.py")
    if "migrations" not in path.parts
}
MODULES = set(SOURCES)


def _imports(tree, module):
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= {name for name in _resolve(module, node) if name in MODULES}
    return found - {module}


def test_no_module_imports_another_in_a_circle():
    graph = {module: _imports(tree, module) for module, tree in SOURCES.items()}
    cycles = []

    def visit(module, path, state):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target], state)
        state[module] = "done"

    state = {}
    for module in sorted(graph):
        if module not in state:
            visit(module, [module], state)
    assert cycles == []


def test_no_imports_inside_functions():
    inside = []
    for module, tree in SOURCES.items():
        for node in ast.walk(tree):
            # Except AppConfig.ready(), where Django wants signal handlers connected.
            if module == "accounts.apps" and getattr(node, "name", "") == "ready":
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for child in ast.walk(node):
                    if isinstance(child, ast.Import | ast.ImportFrom):
                        inside.append(f"{module}:{child.lineno}")
    assert inside == []


def test_the_layers_are_where_a_newcomer_looks():
    for package in ["models", "services", "selectors", "forms", "views", "api", "urls", "admin"]:
        assert (APP / package / "__init__.py").exists(), package
    # Views and the API read through selectors and write through services: no view module
    # reaches for a model's manager to change data.
    for module, tree in SOURCES.items():
        if module.startswith(("accounts.views", "accounts.api")):
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in {"create", "update", "delete"}:
                    value = node.value
                    if isinstance(value, ast.Attribute) and value.attr == "objects":
                        raise AssertionError(f"{module}:{node.lineno} writes through a manager")
