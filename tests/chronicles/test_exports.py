"""Markdown and Word from a snapshot: Chinese dates, month groups, print settings."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from chronicles.exports import chronicle_docx, chronicle_markdown, month_groups


def entry(event, date_start, date_text, title, text="", precision="day", date_end=None):
    return {
        "event": event,
        "date_start": date_start,
        "date_end": date_end,
        "precision": precision,
        "date_text": date_text,
        "title": title,
        "text": text,
    }


@pytest.fixture
def snapshot():
    return {
        "year": 2022,
        "title": "2022年工会工作大事记",
        "introduction": "2022年，各级工会……\n本大事记按时间顺序编排。",
        "edition": 2,
        "published_at": "2023-01-05T09:30:00+08:00",
        "entries": [
            entry(
                1,
                "2022-04-27",
                "2022年4月27日至29日",
                "首届大国工匠创新交流大会举办",
                "大会在深圳举办，展示总面积约1.8万平方米。",
                date_end="2022-04-29",
            ),
            entry(2, "2022-04-28", "2022年4月28日", "全总召开劳模表彰大会"),
            entry(3, "2022-04-28", "2022年4月28日", "全总发布职工维权报告"),
            entry(
                4,
                "2022-06-21",
                "2022年6月下旬至12月底",
                "开展专项行动",
                precision="xun",
                date_end="2022-12-31",
            ),
            entry(5, "2022-07-01", "2022年7月", "第十一届金砖国家工会论坛举行", precision="month"),
        ],
    }


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_opens_with_the_title_edition_and_introduction(snapshot):
    lines = chronicle_markdown(snapshot).split("\n\n")
    assert lines[:4] == [
        "# 2022年工会工作大事记",
        "第2版\u30002023年1月5日发布",
        "2022年，各级工会……",
        "本大事记按时间顺序编排。",
    ]


def test_markdown_of_a_preview_has_no_edition_line(snapshot):
    snapshot.update(edition=None, published_at=None)
    assert "版" not in chronicle_markdown(snapshot)


def test_markdown_groups_entries_under_their_months_in_order(snapshot):
    markdown = chronicle_markdown(snapshot)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == ["## 4月", "## 6月", "## 7月"]


def test_markdown_puts_the_chinese_date_in_bold_before_the_title(snapshot):
    markdown = chronicle_markdown(snapshot)
    assert "**4月27日至29日**\u3000首届大国工匠创新交流大会举办" in markdown
    assert "**6月下旬至12月底**\u3000开展专项行动" in markdown
    assert "**7月**\u3000第十一届金砖国家工会论坛举行" in markdown


def test_markdown_follows_the_snapshot_order_within_a_day(snapshot):
    markdown = chronicle_markdown(snapshot)
    assert markdown.index("劳模表彰大会") < markdown.index("职工维权报告")
    snapshot["entries"][1], snapshot["entries"][2] = snapshot["entries"][2], snapshot["entries"][1]
    markdown = chronicle_markdown(snapshot)
    assert markdown.index("职工维权报告") < markdown.index("劳模表彰大会")


def test_markdown_gives_the_entry_text_after_its_date_line(snapshot):
    blocks = chronicle_markdown(snapshot).split("\n\n")
    date_line = blocks.index("**4月27日至29日**\u3000首届大国工匠创新交流大会举办")
    assert blocks[date_line + 1] == "大会在深圳举办，展示总面积约1.8万平方米。"
    assert blocks[date_line + 2] == "**4月28日**\u3000全总召开劳模表彰大会"


def test_markdown_shows_markup_characters_as_typed():
    snapshot = {
        "year": 2022,
        "title": "大事记",
        "introduction": "",
        "entries": [entry(1, "2022-03-08", "2022年3月8日", "*三八*节_活动 [通知] <b>")],
    }
    assert r"\*三八\*节\_活动 \[通知\] \<b\>" in chronicle_markdown(snapshot)


def test_events_dated_only_by_the_year_go_under_the_whole_year():
    snapshot = {
        "year": 2022,
        "entries": [
            entry(1, "2022-01-01", "2022年", "全年开展普惠服务", precision="year"),
            entry(2, "2022-01-05", "2022年1月5日", "一月的事"),
        ],
    }
    groups = [
        (heading, [e["event"] for e in entries]) for heading, entries in month_groups(snapshot)
    ]
    assert groups == [("全年", [1]), ("1月", [2])]
    assert "**2022年**\u3000全年开展普惠服务" in chronicle_markdown({**snapshot, "title": "t"})


# --- Word --------------------------------------------------------------------------------


@pytest.fixture
def document(snapshot):
    return Document(io.BytesIO(chronicle_docx(snapshot)))


def test_the_word_document_holds_title_introduction_months_and_entries(document):
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "2022年工会工作大事记"
    assert texts[1] == "第2版\u30002023年1月5日发布"
    assert "本大事记按时间顺序编排。" in texts
    assert "4月27日至29日\u3000首届大国工匠创新交流大会举办" in texts
    assert "大会在深圳举办，展示总面积约1.8万平方米。" in texts
    assert texts.index("4月28日\u3000全总召开劳模表彰大会") < texts.index(
        "4月28日\u3000全总发布职工维权报告"
    )
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["4月", "6月", "7月"]
    assert document.core_properties.title == "2022年工会工作大事记"


def test_the_word_document_prints_each_date_in_bold(document):
    entry_paragraphs = [p for p in document.paragraphs if "\u3000开展专项行动" in p.text]
    date_run, title_run = entry_paragraphs[0].runs
    assert (date_run.text, date_run.bold) == ("6月下旬至12月底", True)
    assert not title_run.bold


def test_the_word_document_sets_chinese_fonts_for_body_and_headings(document):
    def fonts(style_name):
        return document.styles[style_name].element.rPr.rFonts

    assert fonts("Normal").get(qn("w:eastAsia")) == "宋体"
    assert fonts("Heading 1").get(qn("w:eastAsia")) == "黑体"
    assert fonts("Title").get(qn("w:eastAsia")) == "黑体"
    # A theme font would win over the named one.
    for style_name in ("Normal", "Heading 1", "Title"):
        assert fonts(style_name).get(qn("w:eastAsiaTheme")) is None
    language = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert language.get(qn("w:eastAsia")) == "zh-CN"


def test_the_word_document_is_a4_with_print_margins(document):
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = [section.top_margin, section.right_margin, section.bottom_margin, section.left_margin]
    assert [round(margin.cm, 2) for margin in margins] == [2.54, 3.18, 2.54, 3.18]


def test_the_word_document_numbers_its_pages_in_the_footer(document):
    footer = document.sections[0].footer.paragraphs[0]._p
    instructions = [node.text for node in footer.iter(qn("w:instrText"))]
    field_marks = [node.get(qn("w:fldCharType")) for node in footer.iter(qn("w:fldChar"))]
    assert instructions == [" PAGE "]
    assert field_marks == ["begin", "separate", "end"]
