import codecs
import hashlib

import pytest

from sources.reading import DocumentError, read_document, read_path
from tests.sources.conftest import DATA, SEED_NAMES, SEEDS


@pytest.mark.parametrize("name", sorted(SEED_NAMES.values()))
def test_seed_files_decode_as_utf8_without_bom(name):
    document = read_path(SEEDS / name)

    assert document.encoding == "utf-8"
    assert not document.had_bom
    assert document.name == name
    assert "工会" in document.text


def test_sha256_is_taken_over_the_raw_bytes():
    data = (SEEDS / SEED_NAMES["top_ten"]).read_bytes()

    assert read_document(data, name="x.txt").sha256 == hashlib.sha256(data).hexdigest()


def test_gb18030_file_is_decoded_as_gb18030():
    document = read_path(DATA / "top_ten_gb18030.txt")

    assert document.encoding == "gb18030"
    assert "## 全市职工技能大赛成功举办" in document.text


@pytest.mark.parametrize(
    "phrase",
    ["说", "工会", "大事记", "中国梦·劳动美", "本报记者 白莹", "喜迎二十大 建功新时代"],
)
def test_short_gb18030_text_is_not_mistaken_for_utf8(phrase):
    document = read_document(phrase.encode("gb18030"), name="short.txt")

    assert document.text == phrase
    assert document.encoding == "gb18030"


def test_utf8_bom_is_removed_and_noted_while_crlf_is_kept():
    document = read_path(DATA / "chronicle_utf8_bom_crlf.txt")

    assert document.had_bom
    assert document.encoding == "utf-8"
    assert document.text.startswith("2022年工会工作大事记\r\n")
    assert "\ufeff" not in document.text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_bom_is_decoded(bom):
    codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    data = bom + "集体协商3年行动计划收官\n".encode(codec)

    document = read_document(data, name="u16.txt")

    assert document.text == "集体协商3年行动计划收官\n"
    assert document.encoding == "utf-16"
    assert document.had_bom


def test_text_in_neither_utf8_nor_gb18030_falls_back_to_charset_detection():
    # "é" before a space is neither valid UTF-8 nor a GB18030 byte pair.
    data = "Le café des délégués syndicaux a réuni les élus à Paris. ".encode("cp1252") * 3

    document = read_document(data, name="fr.txt")

    assert "café des délégués" in document.text
    assert document.encoding not in {"utf-8", "gb18030"}


def test_empty_file_is_refused_naming_the_file():
    with pytest.raises(DocumentError, match=r"^002_x\.txt: file is empty$"):
        read_document(b"", name="002_x.txt")


def test_whitespace_only_file_is_refused():
    with pytest.raises(DocumentError, match=r"blank\.txt: file contains only whitespace"):
        read_document(" \r\n\t\u3000\n".encode(), name="blank.txt")


def test_file_with_nul_bytes_is_refused_as_binary():
    with pytest.raises(DocumentError, match=r"scan\.pdf: looks like a binary file"):
        read_document(b"%PDF-1.7\n\x00\x01\x02binary stream\x00", name="scan.pdf")


def test_file_full_of_control_characters_is_refused_as_binary():
    data = bytes(range(1, 32)) * 20 + "工会".encode()

    with pytest.raises(DocumentError, match=r"blob\.bin: looks like a binary file"):
        read_document(data, name="blob.bin")


def test_document_error_is_a_value_error():
    assert issubclass(DocumentError, ValueError)
