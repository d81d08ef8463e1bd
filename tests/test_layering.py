"""The shape of the code, kept by its import graph: data flows one way (ingest -> ledger -> calc ->
report), the repositories own all table access, the calculation and the report never import the
store, and the three doors (CLI, API, web) are thin callers of the service layer."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "esgledger"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every ``esgledger`` module ``path`` imports (at any depth of the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("esgledger"):
                yield node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("esgledger"):
                    yield alias.name


GRAPH = {
    module_name(path): sorted(set(imports_of(path)))
    for path in PACKAGE.rglob("*.py")
    if "migrations" not in path.parts
}


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def offenders(importers: tuple[str, ...], imported: tuple[str, ...]) -> list[str]:
    return [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if within(module, *importers)
        for target in targets
        if within(target, *imported)
    ]


def test_the_graph_was_read() -> None:
    assert "esgledger.services.operation" in GRAPH
    assert "esgledger.services" in GRAPH["esgledger.cli.common"]


# the repositories and what runs transactions over them
STORE_USERS = (
    "esgledger.store",
    "esgledger.ledger",
    "esgledger.access",
    "esgledger.workflow",
    "esgledger.evidence",
    "esgledger.ingest",
    "esgledger.factors.persist",
    "esgledger.services",
)


def test_only_repositories_and_services_touch_the_store() -> None:
    found = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if not within(module, *STORE_USERS)
        for target in targets
        if within(target, "esgledger.store")
    ]
    assert found == []


@pytest.mark.parametrize(
    "layer",
    [
        "esgledger.calc",
        "esgledger.assess",
        "esgledger.frameworks",
        "esgledger.report",
        "esgledger.disclose",
    ],
)
def test_the_calculation_and_the_report_never_import_the_store(layer: str) -> None:
    assert offenders((layer,), ("esgledger.store",)) == []


INTERFACES = ("esgledger.cli", "esgledger.api", "esgledger.web")
# what an interface may call or show: the services, their errors, plain domain types, and the
# helpers that format for people (strings, identifiers, free text, units, numbers, charts)
INTERFACE_MAY_IMPORT = (
    "esgledger.services",
    "esgledger.service_errors",
    "esgledger.errors",
    "esgledger.domain",
    "esgledger.i18n",
    "esgledger.identifiers",
    "esgledger.free_text",
    "esgledger.units",
    "esgledger.report.formatting",
    "esgledger.report.charts",
    "esgledger.demo",
    *INTERFACES,
)


def test_the_doors_are_thin_callers_of_the_services() -> None:
    found = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if within(module, *INTERFACES)
        for target in targets
        if not within(target, *INTERFACE_MAY_IMPORT)
    ]
    assert found == []


def test_nothing_below_the_services_reaches_up() -> None:
    above = ("esgledger.services", *INTERFACES)
    found = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if not within(module, *above, "esgledger.demo")
        for target in targets
        if within(target, *above)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("layer", "never"),
    [
        (
            "esgledger.ledger",
            (
                "esgledger.calc",
                "esgledger.assess",
                "esgledger.report",
                "esgledger.workflow",
                "esgledger.access",
            ),
        ),
        ("esgledger.ingest", ("esgledger.calc", "esgledger.report", "esgledger.workflow")),
        (
            "esgledger.calc",
            ("esgledger.assess", "esgledger.report", "esgledger.workflow", "esgledger.access"),
        ),
        ("esgledger.assess", ("esgledger.report", "esgledger.workflow", "esgledger.access")),
        ("esgledger.report", ("esgledger.workflow", "esgledger.access")),
        (
            "esgledger.frameworks",
            ("esgledger.ledger", "esgledger.report", "esgledger.workflow", "esgledger.access"),
        ),
        (
            "esgledger.disclose",
            ("esgledger.ledger", "esgledger.report", "esgledger.workflow", "esgledger.access"),
        ),
    ],
)
def test_data_flows_one_way(layer: str, never: tuple[str, ...]) -> None:
    assert offenders((layer,), never) == []
