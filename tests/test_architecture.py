"""The rules of the layout, checked on the source: the domain stays free of HTTP,
and only the workflow moves a ticket's status."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_FLASK_IN_DOMAIN = {"flask_babel", "flask_sqlalchemy"}


def python_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module)
    return modules


def test_the_domain_never_imports_flask_requests_routes_or_the_shell():
    for path in python_files("models"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top not in {"routes", "portlet", "werkzeug"}, (path, module)
            if top.startswith("flask"):
                assert top in ALLOWED_FLASK_IN_DOMAIN, (path, module)


def test_only_the_workflow_assigns_a_ticket_status():
    writers = set()
    for folder in ("models", "routes", "portlet"):
        for path in python_files(folder):
            for node in ast.walk(ast.parse(path.read_text())):
                targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and any(
                    isinstance(t, ast.Attribute) and t.attr == "status" for t in targets
                ):
                    writers.add(path.relative_to(ROOT).as_posix())
    assert writers == {"models/workflow.py"}
