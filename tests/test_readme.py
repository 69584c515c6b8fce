"""README's first screen gives the two set-up commands, and the Makefile has them."""

import re
from pathlib import Path

from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR)


def test_first_screen_shows_the_run_and_test_commands():
    first_screen = "\n".join(
        (PROJECT_DIR / "README.md").read_text(encoding="utf-8").splitlines()[:40]
    )
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first_screen, re.S)
    commands = {line.strip() for block in blocks for line in block.splitlines()}
    assert {"make run", "make test"} <= commands


def test_makefile_targets_exist():
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "lint", "format", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target
