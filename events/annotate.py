"""Building the extraction resources from the database and the project's fixtures.

The gazetteer comes from the database, not only from fixtures/organisations.json, so that
organisations and aliases editors confirmed or added are recognised in the next load.
"""

from pathlib import Path

from django.conf import settings

from events.extraction.annotation import Resources
from events.models import Organisation

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def gazetteer_entries() -> list[dict]:
    organisations = Organisation.objects.confirmed().select_related("parent")
    return [
        {
            "name": organisation.name,
            "slug": organisation.slug,
            "level": organisation.level,
            "parent": organisation.parent.slug if organisation.parent else None,
            "aliases": [alias.name for alias in organisation.aliases.all()],
        }
        for organisation in organisations.prefetch_related("aliases").order_by("id")
    ]


def resources_from_database() -> Resources:
    return Resources.build(
        gazetteer_entries=gazetteer_entries(),
        taxonomy_path=FIXTURES_DIR / "categories.json",
        jieba_cache_dir=settings.JIEBA_CACHE_DIR,
        user_dict=FIXTURES_DIR / "userdict.txt",
    )
