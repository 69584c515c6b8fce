"""Which documents to load, with the metadata an editor supplies for them.

A manifest is a JSON file ``{"documents": [{"file": "…", "title": "…", …}]}`` beside the
documents; any field but ``file`` overrides what is read from the text (see
``sources.metadata.merge_metadata``). Paths on the command line may be files or folders: a
folder with a manifest loads what the manifest lists, any other folder every document in
it, and a file takes its entry from the manifest beside it when there is one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm")


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class DocumentEntry:
    path: Path
    override: dict[str, Any] = field(default_factory=dict)


def read_manifest(path: Path) -> tuple[DocumentEntry, ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise ManifestError(f"{path}: not JSON ({exc})") from None
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise ManifestError(f"{path}: expected an object with a “documents” list")
    entries = []
    for index, document in enumerate(documents):
        if not isinstance(document, dict) or not isinstance(document.get("file"), str):
            raise ManifestError(f"{path}: document {index} has no “file” name")
        override = {key: value for key, value in document.items() if key != "file"}
        entries.append(DocumentEntry(path=path.parent / document["file"], override=override))
    return tuple(entries)


def collect_documents(paths: Iterable[Path]) -> tuple[DocumentEntry, ...]:
    """The documents named by files and folders, in order, each once."""
    entries: list[DocumentEntry] = []
    for path in paths:
        if path.is_dir():
            manifest = path / MANIFEST_NAME
            if manifest.is_file():
                entries.extend(read_manifest(manifest))
            else:
                entries.extend(
                    DocumentEntry(path=child)
                    for child in sorted(path.iterdir())
                    if child.is_file() and child.suffix.lower() in DOCUMENT_SUFFIXES
                )
        else:
            entries.append(_entry_for_file(path))
    seen: set[Path] = set()
    unique = []
    for entry in entries:
        key = entry.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return tuple(unique)


def _entry_for_file(path: Path) -> DocumentEntry:
    manifest = path.parent / MANIFEST_NAME
    if manifest.is_file():
        for entry in read_manifest(manifest):
            if entry.path.name == path.name:
                return DocumentEntry(path=path, override=entry.override)
    return DocumentEntry(path=path)
