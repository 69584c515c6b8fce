"""The Chinese catalogue is complete, compiled, and what the admin shows by default.

Editors read the admin in Chinese; English stays one Accept-Language away. The .po file is parsed
here with a tiny reader (no polib), and the committed .mo is checked against it entry by entry, so
a string translated but not compiled (or compiled from an older .po) fails the run.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import EventFactory

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"

# printf-style placeholders as Python's % operator reads them: %(name)s, %d, %s, %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 when singular) → text
    flags: set[str] = field(default_factory=set)
    line: int = 0


def po_read(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (msgid ""), obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field a continuation line extends

    def start(line_number: int) -> Entry:
        entry = Entry(line=line_number)
        entries.append(entry)
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            current = current or start(number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith('"'):
            if current is None or target is None:
                raise AssertionError(f"{path}:{number}: a string continues nothing")
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += ast.literal_eval(line)
            else:
                setattr(current, name, getattr(current, name) + ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword in {"msgctxt", "msgid"} and (current is None or current.msgstr):
                current = start(number)
            if keyword in {"msgctxt", "msgid", "msgid_plural"}:
                setattr(current, keyword, text)
                target = (keyword, 0)
            elif match := re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword):
                index = int(match.group(1) or 0)
                current.msgstr[index] = text
                target = ("msgstr", index)
            else:
                raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


def messages() -> list[Entry]:
    return [entry for entry in po_read(PO) if entry.msgid]


def header() -> dict[str, str]:
    (entry,) = [entry for entry in po_read(PO) if not entry.msgid]
    lines = entry.msgstr[0].splitlines()
    return {key.strip(): value.strip() for key, _, value in (ln.partition(":") for ln in lines)}


def describe(entry: Entry) -> str:
    return f"{PO.name}:{entry.line} {entry.msgid!r}"


# --- the .po file ----------------------------------------------------------------------------


def test_the_catalogue_exists_and_has_messages():
    assert PO.is_file(), f"run makemessages -l zh_Hans: {PO} is missing"
    assert len(messages()) > 50


def test_the_header_declares_simplified_chinese_in_utf8_with_one_plural_form():
    fields = header()
    assert fields["Language"] == "zh_Hans"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "fuzzy" not in next(e for e in po_read(PO) if not e.msgid).flags


def test_every_message_is_translated_and_none_is_fuzzy():
    fuzzy = [describe(entry) for entry in messages() if "fuzzy" in entry.flags]
    untranslated = [
        describe(entry)
        for entry in messages()
        if not entry.msgstr or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not fuzzy, "fuzzy entries: check the translation, then drop the flag"
    assert not untranslated, "untranslated entries"


def test_plural_messages_have_exactly_the_one_chinese_form():
    plurals = [entry for entry in messages() if entry.msgid_plural is not None]
    assert plurals
    wrong = [describe(entry) for entry in plurals if set(entry.msgstr) != {0}]
    assert not wrong, "Chinese has one plural form: give msgstr[0] only"


def test_translations_keep_the_placeholders_of_the_original():
    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    wrong = []
    for entry in messages():
        if "python-format" not in entry.flags:
            continue
        # %d may be left out of a singular in some languages, never in Chinese's only form.
        expected = placeholders(entry.msgid_plural or entry.msgid)
        wrong += [
            f"{describe(entry)}: {placeholders(text)} != {expected}"
            for text in entry.msgstr.values()
            if placeholders(text) != expected
        ]
    assert not wrong


# --- the compiled .mo ------------------------------------------------------------------------


class _Missing(gettext.NullTranslations):
    """Fallback that marks a message the .mo does not hold (an identity translation included)."""

    MARK = "\x00missing\x00"

    def gettext(self, message):
        return self.MARK

    def ngettext(self, msgid1, msgid2, n):
        return self.MARK

    def pgettext(self, context, message):
        return self.MARK

    def npgettext(self, context, msgid1, msgid2, n):
        return self.MARK


def test_the_compiled_catalogue_holds_every_translation_of_the_po():
    assert MO.is_file(), f"run compilemessages -l zh_Hans: {MO} is missing"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    compiled.add_fallback(_Missing())
    assert compiled.info()["plural-forms"].replace(" ", "") == "nplurals=1;plural=0;"

    stale = []
    for entry in messages():
        for n in (1, 2, 5) if entry.msgid_plural is not None else (None,):
            if entry.msgid_plural is None and entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            elif entry.msgid_plural is None:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            elif entry.msgctxt is None:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if got != entry.msgstr[0]:
                stale.append(f"{describe(entry)}: .mo has {got!r}, .po has {entry.msgstr[0]!r}")
    assert not stale, "the .mo is older than the .po: run compilemessages -l zh_Hans"


# --- what editors see ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _language_put_back():
    """LocaleMiddleware leaves the request's language active in the thread: restore it."""
    with translation.override(translation.get_language()):
        yield


def _get(client, url: str, accept_language: str | None) -> str:
    headers = {} if accept_language is None else {"HTTP_ACCEPT_LANGUAGE": accept_language}
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


CHINESE = [None, "zh-hans", "zh-CN,zh;q=0.9"]
ENGLISH = ["en", "en-US,en;q=0.9"]


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", CHINESE)
def test_the_admin_index_is_in_chinese_by_default(admin_client, accept_language):
    page = _get(admin_client, reverse("admin:index"), accept_language)
    assert '<html lang="zh-hans"' in page
    assert "编辑工作台 | 工会大事记资料库" in page  # the site's own titles, translated
    for name in ("编辑资料库", "事件", "组织", "统计数据", "出处记录", "文献"):
        assert f">{name}</a>" in page, name
    for name in ("editorial archive", "Events", "Organisations", "Metrics", "Sources"):
        assert f">{name}</a>" not in page, name


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", ENGLISH)
def test_the_admin_index_is_in_english_on_request(admin_client, accept_language):
    page = _get(admin_client, reverse("admin:index"), accept_language)
    assert '<html lang="en"' in page
    assert "Editorial desk | Trade-union chronicle archive" in page
    for name in ("editorial archive", "Events", "Organisations", "Metrics", "Provenance records"):
        assert f">{name}</a>" in page, name
    assert ">Sources</a>" in page
    assert ">事件</a>" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", CHINESE)
def test_the_event_list_is_in_chinese_by_default(admin_client, accept_language):
    EventFactory()  # an empty list has no column headers
    page = _get(admin_client, reverse("admin:events_event_changelist"), accept_language)
    assert "<h1>选择 事件 来修改</h1>" in page  # Django's "Select %s to change", our "event"
    for column in ("标题", "状态", "类型", "分类", "提取可信度"):
        assert f">{column}</a>" in page, column
    assert "Select event to change" not in page
    assert ">Title</a>" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", ENGLISH)
def test_the_event_list_is_in_english_on_request(admin_client, accept_language):
    EventFactory()
    page = _get(admin_client, reverse("admin:events_event_changelist"), accept_language)
    assert "<h1>Select event to change</h1>" in page
    for column in ("Title", "Status", "Kind", "Category", "Extraction confidence"):
        assert f">{column}</a>" in page, column
    assert "选择 事件 来修改" not in page
    assert ">标题</a>" not in page
