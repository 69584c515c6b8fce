"""Loading the categories and the organisations gazetteer from fixtures/.

Both loads are keyed on slugs and only add what is missing: a category or organisation an
editor has renamed, re-levelled or confirmed keeps the editor's values on every re-run.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from events.models import Category, Organisation, OrganisationAlias

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
CATEGORIES_PATH = FIXTURES_DIR / "categories.json"
ORGANISATIONS_PATH = FIXTURES_DIR / "organisations.json"


@dataclass
class ImportCounts:
    created: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.unchanged} unchanged"


def read_json_list(path: Path) -> list[dict[str, Any]]:
    """A fixture that must be a JSON list of objects; errors name the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"{path.name}: cannot be read as JSON ({exc})", code="bad_fixture"
        ) from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValidationError(f"{path.name}: expected a JSON list of objects", code="bad_fixture")
    return data


def _require(entry: Mapping[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{where}: “{field}” is missing or empty", code="bad_fixture")
    return value.strip()


@transaction.atomic
def categories_load(entries: Iterable[Mapping[str, Any]], *, origin: str) -> ImportCounts:
    counts = ImportCounts()
    for index, entry in enumerate(entries):
        where = f"{origin} item {index}"
        slug = _require(entry, "slug", where)
        _, created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": _require(entry, "name", where),
                "description": entry.get("description", ""),
                "position": entry.get("position", index),
            },
        )
        counts.created += created
        counts.unchanged += not created
    return counts


@transaction.atomic
def organisations_load(entries: Iterable[Mapping[str, Any]], *, origin: str) -> ImportCounts:
    """Create the gazetteer's organisations that do not exist yet, with aliases and parent.

    An organisation that exists is left alone entirely, so an alias or parent an editor
    removed does not come back.
    """
    counts = ImportCounts()
    created_here: list[tuple[str, Organisation, Mapping[str, Any]]] = []
    for index, entry in enumerate(entries):
        where = f"{origin} item {index}"
        slug = _require(entry, "slug", where)
        organisation, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": _require(entry, "name", where),
                "level": entry.get("level", "other"),
                # The gazetteer is curated by editors, so its entries start confirmed.
                "confirmed": True,
            },
        )
        counts.created += created
        counts.unchanged += not created
        if not created:
            continue
        organisation.full_clean()
        created_here.append((where, organisation, entry))
        for alias in entry.get("aliases", []):
            taken_by = OrganisationAlias.objects.filter(name=alias).first()
            if taken_by is not None:
                raise ValidationError(
                    f"{where}: alias “{alias}” already names “{taken_by.organisation}”",
                    code="alias_taken",
                )
            OrganisationAlias.objects.create(organisation=organisation, name=alias)
    # Parents once every organisation exists, so that the file's order does not matter.
    for where, organisation, entry in created_here:
        parent_slug = entry.get("parent")
        if not parent_slug:
            continue
        parent = Organisation.objects.filter(slug=parent_slug).first()
        if parent is None:
            raise ValidationError(
                f"{where}: parent “{parent_slug}” is not a known organisation",
                code="unknown_parent",
            )
        organisation.parent = parent
        organisation.save(update_fields=["parent"])
    return counts


def taxonomy_load(
    *, categories_path: Path = CATEGORIES_PATH, organisations_path: Path = ORGANISATIONS_PATH
) -> dict[str, ImportCounts]:
    return {
        "categories": categories_load(read_json_list(categories_path), origin=categories_path.name),
        "organisations": organisations_load(
            read_json_list(organisations_path), origin=organisations_path.name
        ),
    }
