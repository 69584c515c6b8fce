"""A chronicle snapshot as Markdown and as a print-ready Word document.

Both take the plain dict of ``chronicles.services.chronicle_snapshot`` (an edition's
frozen snapshot, or a preview of the draft) and touch no database.

The document is Chinese text for print, so its few fixed words (月, 全年, 第N版) are
written in Chinese rather than translated with the interface. Under each month heading
an entry's date drops the chronicle's own year ("2022年4月27日至29日" under 4月 reads
"4月27日至29日"), as printed chronicles do; the snapshot keeps the full date.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

__all__ = ["chronicle_docx", "chronicle_markdown", "entry_date_in_year", "month_groups"]

BODY_FONT_EAST_ASIA = "宋体"  # SimSun
HEADING_FONT_EAST_ASIA = "黑体"  # SimHei
BODY_FONT_LATIN = "Times New Roman"
HEADING_FONT_LATIN = "Arial"
FULL_WIDTH_SPACE = "\u3000"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"


def entry_date_in_year(entry: dict[str, Any], year: int) -> str:
    """The entry's Chinese date without the chronicle's own year in front."""
    text = entry.get("date_text") or ""
    prefix = f"{year}年"
    if text.startswith(prefix) and len(text) > len(prefix):
        return text[len(prefix) :]
    return text


def _group_heading(entry: dict[str, Any]) -> str:
    if entry.get("precision") == "year" or not entry.get("date_start"):
        return "全年"
    return f"{datetime.date.fromisoformat(entry['date_start']).month}月"


def month_groups(snapshot: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(heading, entries) for each run of entries in one month, in chronicle order.

    Events dated only by the year go under 全年.
    """
    heading, group = None, []
    for entry in snapshot["entries"]:
        this = _group_heading(entry)
        if group and this != heading:
            yield heading, group
            group = []
        heading = this
        group.append(entry)
    if group:
        yield heading, group


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _edition_line(snapshot: dict[str, Any]) -> str:
    if not snapshot.get("edition"):
        return ""
    line = f"第{snapshot['edition']}版"
    if snapshot.get("published_at"):
        day = datetime.datetime.fromisoformat(snapshot["published_at"]).date()
        line += f"{FULL_WIDTH_SPACE}{day.year}年{day.month}月{day.day}日发布"
    return line


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Plain text made safe to put in Markdown: it reads as typed, never as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def chronicle_markdown(snapshot: dict[str, Any]) -> str:
    """The chronicle as Markdown: title, edition, introduction, then months and entries."""
    year = snapshot["year"]
    blocks = [f"# {_md(snapshot['title'])}"]
    if edition := _edition_line(snapshot):
        blocks.append(edition)
    blocks.extend(_md(paragraph) for paragraph in _paragraphs(snapshot.get("introduction", "")))
    for heading, entries in month_groups(snapshot):
        blocks.append(f"## {heading}")
        for entry in entries:
            blocks.append(
                f"**{_md(entry_date_in_year(entry, year))}**{FULL_WIDTH_SPACE}{_md(entry['title'])}"
            )
            blocks.extend(_md(paragraph) for paragraph in _paragraphs(entry.get("text", "")))
    return "\n\n".join(blocks) + "\n"


# --- Word ------------------------------------------------------------------------------

_THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(rpr, *, latin: str, east_asia: str) -> None:
    """Name the fonts of a run or style, East Asian text included.

    python-docx's ``font.name`` sets only the Latin slots; Chinese characters take the
    ``w:eastAsia`` font. The template's theme fonts would override explicit names, so
    they are removed.
    """
    fonts = rpr.get_or_add_rFonts()
    for attribute in _THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _set_language(rpr) -> None:
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")


def _setup_styles(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for attribute in _THEME_FONT_ATTRIBUTES:
                fonts.attrib.pop(qn(attribute), None)

    normal = document.styles["Normal"]
    normal.font.size = Pt(12)  # 小四
    _set_fonts(
        normal.element.get_or_add_rPr(), latin=BODY_FONT_LATIN, east_asia=BODY_FONT_EAST_ASIA
    )
    _set_language(normal.element.get_or_add_rPr())
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)

    for name, size in (("Title", 22), ("Heading 1", 16)):  # 二号, 三号
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(
            style.element.get_or_add_rPr(),
            latin=HEADING_FONT_LATIN,
            east_asia=HEADING_FONT_EAST_ASIA,
        )
        borders = style.element.get_or_add_pPr().find(qn("w:pBdr"))
        if borders is not None:  # the template's Title underline is for screens
            borders.getparent().remove(borders)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Heading 1"].paragraph_format.space_before = Pt(18)
    document.styles["Heading 1"].paragraph_format.space_after = Pt(6)


def _setup_page(section) -> None:
    # A4 with Word's default Chinese margins (2.54 cm top and bottom, 3.18 cm at the sides).
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(3.18)
    section.header_distance = section.footer_distance = Cm(1.5)


def _add_page_number(section) -> None:
    """A centred "— 3 —" in the footer: a PAGE field, which Word fills in on each page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instruction
            run._r.append(text)
    paragraph.add_run("1")  # shown until the field is updated
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)
    paragraph.add_run(" —")


def _indented(paragraph) -> None:
    paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters of 小四


def chronicle_docx(snapshot: dict[str, Any]) -> bytes:
    """The chronicle as a Word document ready for print (A4, 宋体 body, 黑体 headings)."""
    document = Document()
    _setup_styles(document)
    section = document.sections[0]
    _setup_page(section)
    _add_page_number(section)
    document.core_properties.title = snapshot["title"]
    document.core_properties.language = "zh-CN"

    document.add_paragraph(snapshot["title"], style="Title")
    if edition := _edition_line(snapshot):
        document.add_paragraph(edition).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in _paragraphs(snapshot.get("introduction", "")):
        _indented(document.add_paragraph(text))

    year = snapshot["year"]
    for heading, entries in month_groups(snapshot):
        document.add_heading(heading, level=1)
        for entry in entries:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.add_run(entry_date_in_year(entry, year)).bold = True
            paragraph.add_run(FULL_WIDTH_SPACE + entry["title"])
            for text in _paragraphs(entry.get("text", "")):
                _indented(document.add_paragraph(text))

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
