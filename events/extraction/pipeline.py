"""The whole extraction of one document, from bytes to candidates, without the database.

read → normalise → metadata (+ manifest) → segment → events, metrics, organisations. The
resources carry what the stages need from outside (gazetteer, taxonomy, jieba), so this
module stays pure and every stage can be run on its own in tests.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from events.extraction.annotation import DocumentAnnotator, Resources
from events.extraction.candidates import Extraction
from events.extraction.occurrences import extract_events
from sources.metadata import Metadata, extract_metadata, merge_metadata
from sources.normalise import Normalised, normalise
from sources.reading import DecodedDocument, DocumentError, read_document
from sources.segment import Item, segment

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class DocumentExtraction:
    document: DecodedDocument
    normalised: Normalised
    metadata: Metadata
    items: tuple[Item, ...]
    extraction: Extraction
    document_year: int | None


def document_year(metadata: Metadata) -> int | None:
    """The year a document is about: the year in its title (a chronicle of 2022 is
    published in 2023), else the year it was published."""
    match = _TITLE_YEAR.search(metadata.title or "")
    if match:
        return int(match.group(1))
    return metadata.published.year if metadata.published else None


def extract_document(
    data: bytes,
    *,
    name: str,
    resources: Resources,
    override: Mapping[str, Any] | None = None,
) -> DocumentExtraction:
    """Raises DocumentError, naming the file, when the document cannot be read or its
    manifest entry is wrong."""
    document = read_document(data, name=name)
    normalised = normalise(document.text)
    metadata = extract_metadata(document.text, normalised.text)
    if override:
        try:
            metadata = merge_metadata(metadata, dict(override))
        except ValueError as exc:
            raise DocumentError(f"{name}: manifest entry: {exc}") from None
    if not metadata.title:
        # An excerpt may start mid-sentence with no title; the file name stands in, and the
        # ingestion report says so, until an editor or the manifest gives a better one.
        metadata = dataclasses.replace(metadata, title=PurePath(name).stem)
    items = segment(normalised.text)
    year = document_year(metadata)
    annotator = DocumentAnnotator(resources, normalised.text)
    extraction = extract_events(
        normalised.text, items, kind=metadata.kind, document_year=year, annotator=annotator
    )
    # Every organisation the document names, also those named outside any event.
    annotator.organisations(normalised.text)
    extraction = dataclasses.replace(extraction, organisations=annotator.organisations_met)
    return DocumentExtraction(
        document=document,
        normalised=normalised,
        metadata=metadata,
        items=items,
        extraction=extraction,
        document_year=year,
    )
