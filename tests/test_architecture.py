"""The rules between rooms that docs/architecture.md states, checked on the source's imports.

Every `import` and `from … import` of the package counts, at module level or inside a function (a command
that imports the composition root when it runs still depends on it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import fiks_folkeregister

PACKAGE = "fiks_folkeregister"
SOURCE = Path(fiks_folkeregister.__file__).parent
COMPOSITION_ROOT = f"{PACKAGE}.app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == PACKAGE:  # `from fiks_folkeregister import app`
                yield from (f"{PACKAGE}.{alias.name}" for alias in node.names)
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


IMPORTS: dict[str, set[str]] = {
    _module_name(path): {name for name in _imports(path) if name.split(".")[0] == PACKAGE}
    for path in SOURCE.rglob("*.py")
}


def _in(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def _is_entrypoint(module: str) -> bool:
    """The command lines: the root `cli.py` and each room's `cli.py`."""
    return module.rsplit(".", 1)[-1] == "cli"


def test_the_import_reader_sees_the_package() -> None:
    # The rules below are only as good as the reading: it finds the composition root and what it wires.
    assert COMPOSITION_ROOT in IMPORTS and f"{PACKAGE}.register.hendelser.log" in IMPORTS
    assert f"{PACKAGE}.register.service" in IMPORTS[COMPOSITION_ROOT]


def test_only_the_entrypoints_import_the_composition_root() -> None:
    importers = {module for module, names in IMPORTS.items() if any(_in(n, COMPOSITION_ROOT) for n in names)}
    assert importers, "the command lines take their wiring from app.py"
    assert {module for module in importers if not _is_entrypoint(module)} == set()


def test_nothing_but_an_entrypoint_imports_an_entrypoint() -> None:
    wrong = {
        (module, name)
        for module, names in IMPORTS.items()
        for name in names
        if _is_entrypoint(name) and not _is_entrypoint(module)
    }
    assert wrong == set()


@pytest.mark.parametrize(
    ("room", "may_not_import"),
    [
        # domain knows nothing else of the package.
        (
            f"{PACKAGE}.domain",
            (
                "admin",
                "app",
                "audit",
                "cli",
                "engines",
                "gateway",
                "http",
                "identity",
                "ratelimit",
                "register",
                "settings",
                "storage",
                "upstream",
            ),
        ),
        # The gateway reaches the register only through the upstream port, never its code or storage.
        (f"{PACKAGE}.gateway", ("register",)),
        # The register is the national register's stand-in: it knows nothing of the gateway's side.
        (f"{PACKAGE}.register", ("admin", "audit", "gateway", "storage", "upstream")),
    ],
)
def test_a_room_imports_only_what_the_architecture_allows(room: str, may_not_import: tuple[str, ...]) -> None:
    wrong = {
        (module, name)
        for module, names in IMPORTS.items()
        if _in(module, room) and not _is_entrypoint(module)
        for name in names
        if any(_in(name, f"{PACKAGE}.{other}") for other in may_not_import)
    }
    assert wrong == set()
