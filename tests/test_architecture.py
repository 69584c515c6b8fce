"""The dependency rules of STYLE.md, checked on the source files themselves."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR)
PURE_STAGES = sorted(
    [
        *(PROJECT_DIR / "sources").glob("reading.py"),
        *(PROJECT_DIR / "sources").glob("normalise.py"),
        *(PROJECT_DIR / "sources").glob("metadata.py"),
        *(PROJECT_DIR / "sources").glob("segment.py"),
        *(PROJECT_DIR / "events" / "extraction").glob("*.py"),
    ]
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PROJECT_DIR / "sources").rglob("*.py")), ids=str)
def test_sources_never_imports_events(path):
    assert not any(name.split(".")[0] == "events" for name in imported_modules(path))


@pytest.mark.parametrize("path", PURE_STAGES, ids=lambda p: p.name)
def test_pipeline_stages_are_pure_python_without_django(path):
    assert not any(name.split(".")[0] == "django" for name in imported_modules(path))
