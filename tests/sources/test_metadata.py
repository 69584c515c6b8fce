import datetime as dt
import json

import pytest

from sources.metadata import Metadata, extract_metadata, merge_metadata, parse_date
from sources.normalise import normalise
from sources.reading import read_path
from tests.sources.conftest import DATA, SEEDS, seed_raw


def _metadata(raw: str) -> Metadata:
    return extract_metadata(raw, normalise(raw).text)


def _seed_metadata(key: str) -> Metadata:
    return _metadata(seed_raw(key))


def test_pdf_chronicle_byline_gives_three_reporters_and_no_invented_publisher():
    metadata = _seed_metadata("pdf_chronicle")

    assert metadata.reporters == ("郑莉", "郝赫", "朱欣")
    assert metadata.publisher is None
    assert metadata.published is None
    assert metadata.kind == "chronicle"


def test_title_cut_by_the_pdf_keeps_the_subtitle_and_is_flagged():
    metadata = _seed_metadata("pdf_chronicle")

    assert metadata.title == "2022年工会工作大事记"
    assert metadata.title_cut


def test_web_chronicle_date_and_origin_come_from_the_raw_meta_lines():
    metadata = _seed_metadata("web_chronicle")

    assert metadata.published == dt.date(2023, 2, 13)
    assert metadata.published_precision == "day"
    assert metadata.origin == "工人日报"
    assert metadata.publisher == "沾化区总工会"


def test_web_chronicle_full_title_is_split_into_title_and_subtitle():
    metadata = _seed_metadata("web_chronicle")

    assert metadata.title == "竭诚服务职工 凝聚奋斗伟力"
    assert metadata.subtitle == "2022年工会工作大事记"
    assert not metadata.title_cut
    assert metadata.credits == (("graphics", "朱欣"),)
    assert metadata.kind == "chronicle"


def test_top_ten_reporter_and_photographer_are_told_apart():
    metadata = _seed_metadata("top_ten")

    assert metadata.title == "2022年首都工会十大新闻盘点"
    assert metadata.reporters == ("白莹",)
    assert ("photo", "陈艺") in metadata.credits
    assert ("text", "白莹") in metadata.credits
    assert metadata.kind == "top-news"


def test_report_excerpt_has_no_title_and_is_recognised_by_its_numbered_structure():
    metadata = _seed_metadata("report")

    assert metadata.title is None
    assert metadata.kind == "report"


@pytest.mark.parametrize(
    ("byline", "reporters", "credits"),
    [
        ("本报记者 郑莉 郝赫 朱欣", ("郑莉", "郝赫", "朱欣"), ()),
        ("本报记者 白莹文 陈艺供图", ("白莹",), (("text", "白莹"), ("photo", "陈艺"))),
        ("本报记者 王鑫 本报通讯员 李明", ("王鑫", "李明"), ()),
        ("本报记者 张三摄", (), (("photo", "张三"),)),
    ],
)
def test_byline_names_and_credits(byline, reporters, credits):
    metadata = extract_metadata(byline, f"某标题\n\n{byline}\n\n正文。\n")

    assert metadata.reporters == reporters
    assert metadata.credits == credits


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2023-02-13 17:16", dt.date(2023, 2, 13), "day"),
        ("2023年2月13日", dt.date(2023, 2, 13), "day"),
        ("2023/02", dt.date(2023, 2, 1), "month"),
        ("2023年2月", dt.date(2023, 2, 1), "month"),
        ("2023年", dt.date(2023, 1, 1), "year"),
        ("浏览次数", None, None),
    ],
)
def test_dates_are_parsed_with_their_precision(value, expected, precision):
    assert parse_date(value) == (expected, precision)


def test_html_page_gives_canonical_url_date_origin_and_copyright_holder():
    raw = read_path(DATA / "news_page.html").text

    metadata = _metadata(raw)

    assert metadata.url == "https://www.example.org.cn/news/2023/0213.html"
    assert metadata.published == dt.date(2023, 1, 18)
    assert metadata.origin == "县总工会"
    assert metadata.publisher == "某县总工会"


def test_gb18030_top_ten_is_recognised():
    raw = read_path(DATA / "top_ten_gb18030.txt").text

    metadata = _metadata(raw)

    assert metadata.kind == "top-news"
    assert metadata.title == "2021年某市工会十大新闻"
    assert metadata.reporters == ("李明",)
    assert metadata.credits == (("photo", "王芳"),)


def test_manifest_entry_overrides_what_the_text_says():
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    entry = next(d for d in manifest["documents"] if d["file"].startswith("000_"))
    override = {key: value for key, value in entry.items() if key != "file"}

    merged = merge_metadata(_seed_metadata("pdf_chronicle"), override)

    assert merged.publisher == "工人日报"
    assert merged.origin == "工人日报"
    assert merged.reporters == ("郑莉", "郝赫", "朱欣")


def test_override_date_string_is_parsed_with_precision():
    merged = merge_metadata(Metadata(), {"published": "2023-02", "reporters": ["白莹"]})

    assert merged.published == dt.date(2023, 2, 1)
    assert merged.published_precision == "month"
    assert merged.reporters == ("白莹",)


def test_override_with_an_explicit_none_clears_the_field():
    merged = merge_metadata(_seed_metadata("web_chronicle"), {"origin": None})

    assert merged.origin is None


@pytest.mark.parametrize(
    "override",
    [{"author": "x"}, {"kind": "novel"}, {"published": "soon"}, {"published_precision": "hour"}],
)
def test_bad_override_is_refused(override):
    with pytest.raises(ValueError, match=r"author|kind|published"):
        merge_metadata(Metadata(), override)
