"""The annotator that event extraction asks about organisations, categories, tags and
places, built from the gazetteer, the taxonomy and jieba.

``Resources`` are built once per process (jieba's dictionary takes a second to load);
``DocumentAnnotator`` is made per document, because what 市总工会 means depends on the
document's city, and it remembers the organisations it met so that the loader can create
the ones it did not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from events.extraction import categories, nlp, organisations
from events.extraction.candidates import OrganisationCandidate

TAGS_PER_EVENT = 5


@dataclass(frozen=True)
class Resources:
    gazetteer: organisations.Gazetteer
    taxonomy: tuple[categories.CategoryRule, ...]
    tokenizer: nlp.UnionTokenizer

    @classmethod
    def build(
        cls,
        *,
        gazetteer_entries: Iterable[Mapping],
        taxonomy_path: Path,
        jieba_cache_dir: Path,
        user_dict: Path,
    ) -> Resources:
        tokenizer = nlp.tokenizer(cache_dir=jieba_cache_dir, user_dict=user_dict)
        # The keyword extractor loads its IDF table and tag dictionary on first use; load
        # them now, once, rather than in the middle of the first document.
        nlp.extract_tags("工会", tokenizer=tokenizer)
        return cls(
            gazetteer=organisations.Gazetteer.from_entries(gazetteer_entries),
            taxonomy=categories.load_taxonomy(taxonomy_path),
            tokenizer=tokenizer,
        )


class DocumentAnnotator:
    def __init__(self, resources: Resources, document_text: str) -> None:
        self.resources = resources
        self.context = organisations.OrgContext(
            locality=organisations.detect_locality(document_text)
        )
        self._met: dict[str, OrganisationCandidate] = {}

    def organisations(self, text: str) -> tuple[str, ...]:
        mentions = organisations.find_organisations(
            text, gazetteer=self.resources.gazetteer, context=self.context
        )
        names: dict[str, None] = {}
        for mention in mentions:
            names[mention.name] = None
            self._met.setdefault(
                mention.name,
                OrganisationCandidate(
                    name=mention.name, level=mention.level, known=not mention.discovered
                ),
            )
        return tuple(names)

    def category(self, text: str, *, title: str) -> str | None:
        slug, _share = categories.classify(text, title=title, taxonomy=self.resources.taxonomy)
        return slug

    def tags(self, text: str) -> tuple[str, ...]:
        return nlp.extract_tags(text, tokenizer=self.resources.tokenizer, top_k=TAGS_PER_EVENT)

    def place(self, text: str) -> str | None:
        return categories.find_place(text)

    @property
    def organisations_met(self) -> tuple[OrganisationCandidate, ...]:
        return tuple(self._met.values())
