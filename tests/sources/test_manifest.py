import json
from pathlib import Path

import pytest

from sources.manifest import DocumentEntry, ManifestError, collect_documents, read_manifest

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def write_manifest(folder: Path, documents) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps({"documents": documents}, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_seed_manifest_lists_every_seed_with_its_overrides():
    entries = read_manifest(SEEDS / "manifest.json")
    assert [entry.path.name for entry in entries] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all(entry.path.is_file() for entry in entries)
    assert entries[1].override["published"] == "2023-02-13"
    assert "file" not in entries[1].override


def test_a_folder_with_a_manifest_loads_what_it_lists(tmp_path):
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "b.txt").write_text("乙", encoding="utf-8")
    write_manifest(tmp_path, [{"file": "b.txt", "kind": "report"}])
    assert collect_documents([tmp_path]) == (
        DocumentEntry(path=tmp_path / "b.txt", override={"kind": "report"}),
    )


def test_a_folder_without_a_manifest_loads_its_documents_in_name_order(tmp_path):
    for name in ("2.txt", "1.html", "notes.pdf", "0.md"):
        (tmp_path / name).write_text("文", encoding="utf-8")
    names = [entry.path.name for entry in collect_documents([tmp_path])]
    assert names == ["0.md", "1.html", "2.txt"]


def test_a_file_takes_its_entry_from_the_manifest_beside_it(tmp_path):
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    write_manifest(tmp_path, [{"file": "a.txt", "title": "2019年工会工作大事记"}])
    (entry,) = collect_documents([tmp_path / "a.txt"])
    assert entry.override == {"title": "2019年工会工作大事记"}


def test_a_document_named_twice_is_loaded_once(tmp_path):
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    assert len(collect_documents([tmp_path / "a.txt", tmp_path, tmp_path / "a.txt"])) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"files": []}', "expected an object with a “documents” list"),
        ('{"documents": [{"title": "x"}]}', "document 0 has no “file” name"),
    ],
)
def test_a_broken_manifest_is_named_with_the_reason(tmp_path, content, message):
    (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError, match=message) as caught:
        collect_documents([tmp_path])
    assert "manifest.json" in str(caught.value)
