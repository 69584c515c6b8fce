"""Hostile text in a source document is stored and shown as text, never executed; what the
loader cannot read is refused with the file named and the reason; a 10 MB one-line
document loads in bounded time.

Every document goes through the real loader (`load_sources`) from files written here.
Decisions: NUL bytes (or NUL characters after decoding) are refused as binary;
bidirectional marks and overrides (U+200F, U+202E) and stray control characters are
removed from the normalised text (the raw text keeps them); HTML entities in a plain-text
document are text, shown as written.
"""

import csv
import io
import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from events import demo, services
from events.models import Event
from sources.models import Source
from sources.normalise import normalise
from sources.reading import MAX_DOCUMENT_BYTES

pytestmark = pytest.mark.django_db

CHRONICLE = Path(__file__).parent / "events" / "data" / "chronicle_2019_months.txt"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ENTITIES = "&lt;b&gt;市总工会&amp;"
RLO, RLM = "\u202e", "\u200f"


def hostile_chronicle() -> str:
    text = CHRONICLE.read_text(encoding="utf-8")
    text = text.replace("1月9日，滨海市总工会", f"1月9日，{SCRIPT}滨海市总工会", 1)
    text = text.replace(
        "1月22日至24日，市总工会开展", f"1月22日至24日，{ENTITIES}{RLO}开展{RLM}\x07", 1
    )
    assert SCRIPT in text
    assert RLO in text
    return text


def load(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_sources", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def hostile(tmp_path):
    """The hostile chronicle loaded, and its events published."""
    path = tmp_path / "hostile.txt"
    path.write_text(hostile_chronicle(), encoding="utf-8")
    load(path)
    source = Source.objects.get(file_name="hostile.txt")
    for event in Event.objects.filter(provenances__source=source):
        services.event_publish(event=event, by=None)
    scripted = Event.objects.get(title__contains=SCRIPT)
    return source, scripted


def test_the_loader_keeps_hostile_text_as_text(hostile):
    source, scripted = hostile
    assert SCRIPT in source.raw_text
    assert SCRIPT in source.text
    assert scripted.title.startswith(SCRIPT)
    # A plain-text document's entities are its text, not markup.
    assert "&lt;b&gt" in source.text
    assert "<b>" not in source.text


def test_bidirectional_overrides_and_controls_leave_the_normalised_text(hostile):
    source, _ = hostile
    assert RLO in source.raw_text
    assert RLM in source.raw_text
    for character in (RLO, RLM, "\x07"):
        assert character not in source.text
        assert not Event.objects.filter(summary__contains=character).exists()
        assert not Event.objects.filter(title__contains=character).exists()


@pytest.mark.parametrize(
    ("page", "needs_editor"),
    [
        (lambda source, event: reverse("events:event-detail", args=[event.pk]), False),
        (lambda source, event: reverse("events:source-detail", args=[source.pk]), False),
        (lambda source, event: reverse("events:event-list") + "?year=2019", False),
        (lambda source, event: reverse("events:event-list") + "?q=alert", False),
        (lambda source, event: reverse("events:home"), False),
        (lambda source, event: reverse("chronicles:chronicle-list"), False),
        (lambda source, event: reverse("admin:sources_source_change", args=[source.pk]), True),
        (lambda source, event: reverse("admin:events_event_change", args=[event.pk]), True),
        (lambda source, event: reverse("admin:events_event_changelist"), True),
        (lambda source, event: reverse("admin:events_event_history", args=[event.pk]), True),
    ],
    ids=[
        "event-page",
        "source-page",
        "timeline-list",
        "search",
        "home",
        "chronicles",
        "admin-source",
        "admin-event",
        "admin-event-list",
        "admin-history",
    ],
)
def test_html_pages_show_the_script_escaped(client, hostile, page, needs_editor):
    source, event = hostile
    if needs_editor:
        client.force_login(demo.demo_editor_ensure()[0])
    response = client.get(page(source, event))
    assert response.status_code == 200
    content = response.content.decode()
    assert SCRIPT not in content
    if "chronicle" not in response.request["PATH_INFO"]:
        assert ESCAPED_SCRIPT in content


def test_the_source_pages_show_entities_as_written(client, hostile):
    source, _ = hostile
    content = client.get(reverse("events:source-detail", args=[source.pk])).content.decode()
    assert "&amp;lt;b&amp;gt" in content  # the reader sees "&lt;b&gt"
    assert "<b>" not in content
    client.force_login(demo.demo_editor_ensure()[0])
    admin = client.get(reverse("admin:sources_source_change", args=[source.pk])).content
    assert "&amp;lt;b&amp;gt" in admin.decode()


def test_the_admin_ingestion_report_escapes_event_titles(client, hostile):
    source, _ = hostile
    assert any(SCRIPT in entry["title"] for entry in source.report["events"])
    client.force_login(demo.demo_editor_ensure()[0])
    content = client.get(reverse("admin:sources_source_change", args=[source.pk])).content
    report = content.decode().split('class="ingestion-report"', 1)[1]
    assert f"{ESCAPED_SCRIPT}滨海市总工会" in report
    assert SCRIPT not in report


def test_the_api_gives_the_text_as_json_data(client, hostile):
    source, event = hostile
    response = client.get(reverse("api:event-detail", args=[event.pk]))
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["title"] == event.title
    detail = client.get(reverse("api:source-detail", args=[source.pk])).json()
    assert detail["text"] == source.text
    # The search snippet is HTML: the text in it is escaped, only <mark> is markup.
    found = client.get(reverse("api:event-list") + "?q=alert").json()["results"]
    assert found
    snippet = found[0]["search_snippet"]
    assert SCRIPT not in snippet
    assert "<mark>" in snippet


def test_the_timeline_json_and_the_feed_escape_the_script(client, hostile):
    timeline = client.get(reverse("api:timeline") + "?year=2019").json()
    headlines = [slide["text"]["headline"] for slide in timeline["events"]]
    assert any(ESCAPED_SCRIPT in headline for headline in headlines)
    assert not any(SCRIPT in json.dumps(slide) for slide in timeline["events"])
    feed = client.get(reverse("events:event-feed"))
    assert feed.status_code == 200
    assert SCRIPT not in feed.content.decode()
    assert ESCAPED_SCRIPT in feed.content.decode()


def test_csv_ics_and_the_archive_export_carry_the_text_unchanged(client, hostile, tmp_path):
    _, event = hostile
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events/?format=csv").content.decode())))
    assert event.title in [row["title"] for row in rows]
    ics = client.get("/api/events/?format=ics")
    assert ics.status_code == 200
    assert "alert(1)" in ics.content.decode()
    output = tmp_path / "archive.json"
    call_command("export_archive", "-o", str(output), stdout=StringIO())
    exported = json.loads(output.read_text(encoding="utf-8"))
    assert event.title in [item["title"] for item in exported["events"]]


def test_a_control_character_an_editor_typed_does_not_break_the_feed(client, hostile):
    _, event = hostile
    Event.objects.filter(pk=event.pk).update(title="会议\x0b召开", summary="摘要\x1b内容")
    feed = client.get(reverse("events:event-feed"))
    assert feed.status_code == 200
    assert "会议召开" in feed.content.decode()


def test_a_canonical_javascript_address_is_never_a_source_link(client, tmp_path):
    page = hostile_chronicle().replace("\n\n", "</p>\n<p>")
    html = (
        '<html><head><link rel="canonical" href="javascript:alert(1)">'
        f"<title>2019年滨海市工会工作大事记</title></head><body><p>{page}</p>"
        '<script>alert("page script")</script><img src=x onerror="alert(2)"></body></html>'
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    load(path)
    source = Source.objects.get(file_name="page.html")
    assert not source.url.startswith("javascript:")
    assert "page script" not in source.text  # the page's own scripts are not its text
    assert "onerror" not in source.text
    content = client.get(reverse("events:source-detail", args=[source.pk])).content.decode()
    assert 'href="javascript:' not in content


def test_a_manifest_url_must_be_a_web_address(tmp_path):
    (tmp_path / "doc.txt").write_text(hostile_chronicle(), encoding="utf-8")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"documents": [{"file": "doc.txt", "url": "javascript:alert(1)"}]}),
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_sources", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "doc.txt: manifest entry: url: not an http or https address" in err.getvalue()
    assert not Source.objects.exists()


UTF8_BOM = b"\xef\xbb\xbf"
SENTENCE = "2022年4月27日，首届大国工匠创新交流大会在深圳举办。"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "nul.txt",
            SENTENCE.encode() + b"\x00" + SENTENCE.encode(),
            f"a NUL byte at offset {len(SENTENCE.encode())}",
        ),
        (
            "nul-after-bom.txt",
            UTF8_BOM + (SENTENCE * 200 + "\x00").encode(),
            f"a NUL character at position {len(SENTENCE) * 200}",
        ),
        ("nul-utf16.txt", ("\ufeff" + SENTENCE + "\x00更多").encode("utf-16-le"), "NUL character"),
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b" \n\t\n", "file contains only whitespace"),
        ("binary.txt", bytes(range(1, 32)) * 100, "looks like a binary file"),
        (
            "too-large.txt",
            b"a" * (MAX_DOCUMENT_BYTES + 1),
            "too large (20.0 MB; a document may have at most 20 MB)",
        ),
    ],
)
def test_what_the_loader_cannot_read_is_refused_naming_file_and_reason(
    tmp_path, name, data, reason
):
    path = tmp_path / name
    path.write_bytes(data)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 files failed to load"):
        call_command("load_sources", str(path), stdout=StringIO(), stderr=err)
    message = err.getvalue()
    assert f"failed: {name}: " in message
    assert reason in message
    assert not Source.objects.exists()


def test_a_refused_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "good.txt").write_text(hostile_chronicle(), encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 files failed"):
        call_command("load_sources", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "failed: bad.txt: looks like a binary file" in err.getvalue()
    assert Source.objects.filter(file_name="good.txt").exists()


def test_long_lines_of_half_width_punctuation_normalise_in_linear_time():
    """Each half-width comma once looked at the whole line before it (quadratic)."""
    line = "2022年7月1日,某工会召开会议,参会人员100人;" * 40_000  # 1.1 million characters
    started = time.perf_counter()
    result = normalise(line)
    elapsed = time.perf_counter() - started
    assert result.report.punctuation_converted == 120_000
    assert elapsed < 30, f"{elapsed:.1f} s"


def test_a_ten_megabyte_single_line_loads_in_bounded_time(client, tmp_path):
    # Full-width and half-width punctuation alike, dates and figures: no line break at all.
    unit = "2022年4月27日，首届大国工匠创新交流大会在深圳举办,参会100人;"
    text = unit * (10_000_000 // len(unit.encode()))
    path = tmp_path / "one-line.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 9_900_000
    assert "\n" not in text
    started = time.perf_counter()
    out, _ = load(path)
    elapsed = time.perf_counter() - started
    assert "new: one-line.txt" in out
    assert elapsed < 120, f"{elapsed:.1f} s"
    source = Source.objects.get(file_name="one-line.txt")
    assert len(source.text) >= len(text) - 1
    # One paragraph with no entry heading: passed over, and the report says why.
    assert source.report["passed_over"][0]["reason"].startswith("introduction")
    # Its page in the admin (text, marked spans, report) answers too.
    client.force_login(demo.demo_editor_ensure()[0])
    started = time.perf_counter()
    page = client.get(reverse("admin:sources_source_change", args=[source.pk]))
    assert page.status_code == 200
    assert time.perf_counter() - started < 60
