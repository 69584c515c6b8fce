"""load_sources end to end: real seeds in, draft events with provenance out, safely again."""

import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from events import services
from events.archive import archive_build
from events.models import Event, EventStatus, Metric, Organisation, Provenance
from events.taxonomy import taxonomy_load
from sources.models import Source

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT / "fixtures" / "seeds"
PDF_CHRONICLE, WEB_CHRONICLE, REPORT, TOP_TEN = sorted(p.name for p in SEEDS.glob("*.txt"))
OWN_DATA = Path(__file__).resolve().parent / "data"
SOURCES_DATA = PROJECT / "tests" / "sources" / "data"


@pytest.fixture(autouse=True)
def taxonomy():
    taxonomy_load()


def load(*paths, dry_run=False) -> str:
    out = StringIO()
    args = [str(path) for path in paths] + (["--dry-run"] if dry_run else [])
    call_command("load_sources", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def events_of(file_name: str):
    return Event.objects.filter(provenances__source__file_name=file_name).distinct()


def test_seeds_load_as_draft_events_quoting_their_sources():
    output = load()
    assert "sources: 4 new, 0 updated, 0 unchanged, 0 failed" in output
    assert Source.objects.count() == 4
    assert not Event.objects.exclude(status=EventStatus.DRAFT).exists()
    assert not Event.objects.filter(provenances__isnull=True).exists()
    for provenance in Provenance.objects.select_related("source"):
        assert provenance.source.text[provenance.start : provenance.end] == provenance.excerpt
    for metric in Metric.objects.select_related("source"):
        assert metric.source.text[metric.start : metric.end] == metric.text


def test_raw_text_is_stored_exactly_as_read():
    load()
    source = Source.objects.get(file_name=PDF_CHRONICLE)
    assert source.raw_text == (SEEDS / PDF_CHRONICLE).read_text(encoding="utf-8")
    assert "新 工 作 室" in source.raw_text
    assert "新工作室" in source.text


def test_metadata_comes_from_the_text_and_the_manifest():
    load()
    pdf = Source.objects.get(file_name=PDF_CHRONICLE)
    web = Source.objects.get(file_name=WEB_CHRONICLE)
    assert pdf.reporters == ["郑莉", "郝赫", "朱欣"]
    assert (web.published.isoformat(), web.published_precision) == ("2023-02-13", "day")
    assert web.origin == "工人日报"
    assert Source.objects.get(file_name=TOP_TEN).kind == "top-news"
    assert Source.objects.get(file_name=REPORT).kind == "report"


def test_the_pdf_and_web_copies_of_one_article_give_no_duplicate_events():
    load()
    pdf_events, web_events = set(events_of(PDF_CHRONICLE)), set(events_of(WEB_CHRONICLE))
    assert len(web_events) >= 11
    assert pdf_events == web_events
    merged = Provenance.objects.filter(source__file_name=WEB_CHRONICLE).exclude(merge_reason="")
    assert merged.count() == len(web_events)


def test_the_report_joins_the_chronicles_congress_with_its_figure():
    load()
    congress = Event.objects.get(title="首届大国工匠创新交流大会举办")
    files = set(congress.provenances.values_list("source__file_name", flat=True))
    assert files == {PDF_CHRONICLE, WEB_CHRONICLE, REPORT}
    assert congress.metrics.filter(value=Decimal("8486000000"), unit="元").exists()
    reason = congress.provenances.get(source__file_name=REPORT).merge_reason
    assert "8486000000" in reason


@pytest.mark.parametrize(
    ("title", "start", "end", "precision"),
    [
        ("首届大国工匠创新交流大会举办", "2022-04-27", "2022-04-29", "day"),
        ("开展“转作风、解难题、促发展、保稳定”专项行动", "2022-06-21", "2022-12-31", "xun"),
        ("第十一届金砖国家工会论坛举行", "2022-07-01", None, "month"),
        ("全市首家“首都工匠学院”落户北京市总工会职工大学", "2022-09-15", None, "day"),
    ],
)
def test_stored_events_keep_the_exact_dates(title, start, end, precision):
    load()
    event = Event.objects.get(title=title)
    assert event.date_start.isoformat() == start
    assert (event.date_end.isoformat() if event.date_end else None) == end
    assert event.date_precision == precision


def test_organisations_resolve_aliases_and_discovered_ones_await_an_editor():
    load()
    acftu = Organisation.objects.get(slug="acftu")
    assert acftu.confirmed
    assert acftu.events.exists()
    college = Organisation.objects.get(name="北京花乡花木集团")
    assert not college.confirmed
    assert college.events.filter(date_start="2022-10-28").exists()


def test_the_2023_tasks_of_the_report_are_planned_events():
    load()
    planned = events_of(REPORT).filter(kind="planned")
    assert planned.exists()
    assert all(event.date_start.year == 2023 for event in planned)


def test_loading_again_changes_nothing():
    load()
    before = archive_build()
    output = load()
    after = archive_build()
    assert "sources: 0 new, 0 updated, 4 unchanged, 0 failed" in output
    for key in ("sources", "organisations", "events", "metrics"):
        assert after[key] == before[key], key


def test_each_source_keeps_an_ingestion_report():
    load()
    report = Source.objects.get(file_name=PDF_CHRONICLE).report
    assert report["normalisation"]["lines_rejoined"] > 100
    assert report["normalisation"]["spaces_removed"] > 0
    assert {item["kind"] for item in report["items"]} >= {"headline", "scene", "commentary"}
    assert all(entry["reason"] for entry in report["passed_over"])
    assert {entry["action"] for entry in report["events"]} == {"created"}
    web = Source.objects.get(file_name=WEB_CHRONICLE).report
    assert any("Copyright" in line["text"] for line in web["normalisation"]["removed_lines"])
    assert all(entry["action"].startswith("merged") for entry in web["events"])


def copy_seed(tmp_path: Path, name: str, new_name: str = "chronicle.txt") -> Path:
    target = tmp_path / new_name
    shutil.copy(SEEDS / name, target)
    return target


def test_a_changed_file_never_undoes_an_editors_work(tmp_path):
    path = copy_seed(tmp_path, WEB_CHRONICLE)
    load(path)
    edited = Event.objects.get(title="第十一届金砖国家工会论坛举行")
    edited.title = "第十一届金砖国家工会论坛在北京举行"
    services.event_note_edits(event=edited, fields=["title"])
    edited.save()
    published = services.event_publish(
        event=Event.objects.get(title="集体协商3年行动计划收官"), by=None
    )
    rejected = Event.objects.get(title="互联网百强企业全部建立工会")
    Event.objects.filter(pk=rejected.pk).update(status=EventStatus.REJECTED)
    untouched = Event.objects.get(title="大国工匠“霸屏”全媒体平台")

    text = path.read_text(encoding="utf-8")
    text = text.replace("大国工匠“霸屏”全媒体平台", "大国工匠“霸屏”各大媒体平台")
    text = text.replace("第十一届金砖国家工会论坛举行", "金砖国家工会论坛举行")
    path.write_text(text, encoding="utf-8")
    output = load(path)

    assert "sources: 0 new, 1 updated" in output
    old, new = Source.objects.get(superseded=True), Source.objects.get(superseded=False)
    assert new.previous_version == old
    edited.refresh_from_db()
    assert edited.title == "第十一届金砖国家工会论坛在北京举行"
    assert edited.edited_fields == ["title"]
    assert Event.objects.get(pk=published.pk).status == EventStatus.PUBLISHED
    assert Event.objects.get(pk=rejected.pk).status == EventStatus.REJECTED
    untouched.refresh_from_db()
    assert untouched.title == "大国工匠“霸屏”各大媒体平台"
    assert set(untouched.provenances.values_list("source", flat=True)) == {new.pk}
    # Spans into the old text stay true; nothing points past either text.
    for provenance in Provenance.objects.select_related("source"):
        assert provenance.source.text[provenance.start : provenance.end] == provenance.excerpt


def test_a_changed_file_drops_only_untouched_drafts_it_no_longer_tells(tmp_path):
    path = copy_seed(tmp_path, TOP_TEN)
    load(path)
    kept = Event.objects.get(title="第三届“北京大工匠”选树工作启动")
    services.event_publish(event=kept, by=None)
    dropped_title = "“最美户外劳动者服务站”推树活动举办"
    assert Event.objects.filter(title=dropped_title).exists()
    text = path.read_text(encoding="utf-8")
    start = text.index("## “最美户外劳动者服务站”")
    end = text.index("## 第三届")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    output = load(path)
    assert "removed" in output
    assert not Event.objects.filter(title=dropped_title).exists()
    assert Event.objects.get(pk=kept.pk).status == EventStatus.PUBLISHED


def test_bad_files_are_named_and_the_rest_still_load(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    copy_seed(tmp_path, TOP_TEN, "good.txt")
    errors = StringIO()
    with pytest.raises(CommandError, match="2 of 3 files failed"):
        call_command("load_sources", str(tmp_path), stdout=StringIO(), stderr=errors)
    assert "empty.txt: file is empty" in errors.getvalue()
    assert "binary.txt" in errors.getvalue()
    assert list(Source.objects.values_list("file_name", flat=True)) == ["good.txt"]


def test_a_missing_path_is_named(tmp_path):
    errors = StringIO()
    with pytest.raises(CommandError, match="1 of 1 files failed"):
        call_command("load_sources", str(tmp_path / "nowhere.txt"), stderr=errors)
    assert "nowhere.txt: cannot be read" in errors.getvalue()


def test_dry_run_reports_and_saves_nothing():
    output = load(dry_run=True)
    assert "sources: 4 new" in output
    assert "Dry run" in output
    assert not Source.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("path", "year", "at_least"),
    [
        (OWN_DATA / "chronicle_2019_months.txt", 2019, 5),
        (OWN_DATA / "top_ten_2019_jiangcheng.txt", 2019, 4),
        (SOURCES_DATA / "top_ten_gb18030.txt", None, 1),
    ],
)
def test_documents_of_other_years_and_layouts_load(path, year, at_least):
    load(path)
    events = Event.objects.all()
    assert events.count() >= at_least
    if year is not None:
        assert {event.date_start.year for event in events if event.date_start} >= {year}


def test_a_gb18030_document_is_read_and_stored_as_text():
    load(SOURCES_DATA / "top_ten_gb18030.txt")
    source = Source.objects.get()
    assert source.encoding == "gb18030"
    assert "工会" in source.text


def test_a_report_in_traditional_characters_is_read_in_simplified(tmp_path):
    report = tmp_path / "report_2021_traditional.txt"
    report.write_text(
        "中華全國總工會2021年工作報告（節選）\n\n"
        "一是深化產業工人隊伍建設改革。2021年4月28日，全總召開電視電話會議，"
        "部署深化產業工人隊伍建設改革工作。\n\n"
        "二是成功舉辦第五屆全國職工優秀技術創新成果交流活動，"
        "共有1200項成果參展，意向金額達85.6億元。\n",
        encoding="utf-8",
    )
    load(report)
    source = Source.objects.get()
    assert "产业工人队伍建设改革" in source.text
    assert source.report["normalisation"]["traditional_converted"] > 20
    event = Event.objects.get(date_start="2021-04-28")
    assert "电视电话会议" in event.summary
    assert Organisation.objects.get(slug="acftu").events.filter(pk=event.pk).exists()
    assert Metric.objects.filter(value=Decimal("8560000000")).exists()


def test_rows_touched_grow_linearly_with_the_document(tmp_path, django_assert_max_num_queries):
    text = (SEEDS / TOP_TEN).read_text(encoding="utf-8")
    _head, _, items = text.partition("\n## ")
    once = tmp_path / "once.txt"
    twice = tmp_path / "twice.txt"
    once.write_text(text, encoding="utf-8")
    # The same items again, ten years on, so they are new occurrences and not merges.
    later = ("\n## " + items).replace("2022", "2032")
    twice.write_text(text.replace("2022", "2012") + later, encoding="utf-8")
    with django_assert_max_num_queries(10_000) as single:
        load(once)
    with django_assert_max_num_queries(10_000) as double:
        load(twice)
    events_once = events_of("once.txt").count()
    events_twice = events_of("twice.txt").count()
    assert events_twice >= 2 * events_once - 1
    per_event_once = len(single.captured_queries) / events_once
    per_event_twice = len(double.captured_queries) / events_twice
    assert per_event_twice <= per_event_once * 1.3


def test_an_editor_can_undo_a_merge_and_a_reload_keeps_it_undone(tmp_path):
    load()
    congress = Event.objects.get(title="首届大国工匠创新交流大会举办")
    from_report = congress.provenances.get(source__file_name=REPORT)
    separate = services.provenance_unmerge(provenance=from_report)
    assert separate.title == "成功举办首届大国工匠创新交流大会"
    assert separate.kind == congress.kind
    assert list(separate.provenances.all()) == [from_report]
    assert separate.metrics.filter(value=Decimal("8486000000")).exists()
    assert not congress.provenances.filter(source__file_name=REPORT).exists()
    assert congress.provenances.count() == 2
    with pytest.raises(ValidationError) as caught:
        services.provenance_unmerge(provenance=separate.provenances.get())
    assert caught.value.code == "only_account"
    load()
    assert Event.objects.get(pk=separate.pk).provenances.get() == from_report


def test_loaded_events_begin_their_history_with_the_load():
    load(SEEDS / TOP_TEN)
    event = Event.objects.get(title="第三届“北京大工匠”选树工作启动")
    (record,) = event.history.all()
    assert record.history_type == "+"
    assert record.history_change_reason == f"load_sources: {TOP_TEN}"
