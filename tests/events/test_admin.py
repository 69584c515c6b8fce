"""Every model has a working admin list and form; the event form records editors' changes."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from events import demo
from events.models import Category, Event, Metric, Organisation, OrganisationAlias, Provenance
from events.taxonomy import taxonomy_load
from sources.models import Source
from tests.factories import SOURCE_TEXT, EventFactory, MetricFactory, SourceFactory

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"

pytestmark = pytest.mark.django_db

MODELS = [
    "events_event",
    "events_metric",
    "events_organisation",
    "events_organisationalias",
    "events_provenance",
    "events_category",
    "events_tag",
    "sources_source",
]


@pytest.fixture
def editor_client(client):
    taxonomy_load()
    source = SourceFactory(text=SOURCE_TEXT + "2022年6月下旬至12月底，专项行动在工会系统集中开展。")
    congress = EventFactory(title="首届大国工匠创新交流大会举办", provenance=source)
    congress.organisations.add(Organisation.objects.get(slug="acftu"))
    MetricFactory(event=congress, source=source)
    EventFactory(
        title="开展“转作风、解难题、促发展、保稳定”专项行动",
        date_start=datetime.date(2022, 6, 21),
        date_end=datetime.date(2022, 12, 31),
        date_precision="xun",
        date_text="2022年6月下旬至12月底",
        provenance=source,
    )
    EventFactory(
        title="第十一届金砖国家工会论坛举行",
        date_start=datetime.date(2022, 7, 1),
        date_end=None,
        date_precision="month",
        date_text="2022年7月盛夏",
        category=Category.objects.get(slug="foreign-exchange"),
        provenance=source,
    )
    editor, _ = demo.demo_editor_ensure()
    client.force_login(editor)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_the_demo_editor_sees_every_list_and_add_form(editor_client, model):
    assert editor_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:{model}_add")).status_code == 200


@pytest.mark.parametrize(
    ("model", "queryset"),
    [
        ("events_event", Event.objects),
        ("events_metric", Metric.objects),
        ("events_organisation", Organisation.objects),
        ("events_organisationalias", OrganisationAlias.objects),
        ("events_provenance", Provenance.objects),
    ],
)
def test_change_forms_open(editor_client, model, queryset):
    response = editor_client.get(reverse(f"admin:{model}_change", args=[queryset.first().pk]))
    assert response.status_code == 200


def test_event_list_shows_the_date_as_written_and_the_source_count(editor_client):
    response = editor_client.get(reverse("admin:events_event_changelist"))
    content = response.content.decode()
    assert "2022年6月下旬至12月底" in content
    assert "首届大国工匠创新交流大会举办" in content


def test_event_list_query_count_does_not_grow_with_rows(
    editor_client, django_assert_max_num_queries
):
    url = reverse("admin:events_event_changelist")
    editor_client.get(url)
    with django_assert_max_num_queries(20) as first:
        editor_client.get(url)
    EventFactory.create_batch(30)
    with django_assert_max_num_queries(len(first.captured_queries)):
        editor_client.get(url)


def test_source_list_does_not_load_the_texts(editor_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as captured:
        editor_client.get(reverse("admin:sources_source_changelist"))
    source_queries = [q["sql"] for q in captured.captured_queries if "sources_source" in q["sql"]]
    assert source_queries
    assert not any('"raw_text"' in sql for sql in source_queries)


def test_saving_an_event_in_the_admin_records_the_edited_fields(editor_client):
    event = Event.objects.get(date_text="2022年7月盛夏")
    url = reverse("admin:events_event_change", args=[event.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"organisations", "tags"}
    }
    data.update(
        title="第十一届金砖国家工会论坛在北京举行（已核）",
        place="北京",
        organisations=[o.pk for o in event.organisations.all()],
        tags=[t.pk for t in event.tags.all()],
        category=event.category_id,
    )
    provenance = event.provenances.get()
    data.update(
        {
            "provenances-TOTAL_FORMS": 1,
            "provenances-INITIAL_FORMS": 1,
            "provenances-MIN_NUM_FORMS": 1,
            "provenances-MAX_NUM_FORMS": 1000,
            "provenances-0-id": provenance.pk,
            "provenances-0-event": event.pk,
            "provenances-0-source": provenance.source_id,
            "provenances-0-excerpt": provenance.excerpt,
            "provenances-0-start": provenance.start,
            "provenances-0-end": provenance.end,
            "metrics-TOTAL_FORMS": 0,
            "metrics-INITIAL_FORMS": 0,
            "metrics-MIN_NUM_FORMS": 0,
            "metrics-MAX_NUM_FORMS": 1000,
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title.endswith("（已核）")
    assert event.edited_fields == ["place", "title"]


def test_confirm_action_confirms_discovered_organisations(editor_client):
    discovered = Organisation.objects.create(
        name="北京花乡花木集团", slug="huaxiang", level="enterprise"
    )
    response = editor_client.post(
        reverse("admin:events_organisation_changelist"),
        {"action": "confirm", "_selected_action": [discovered.pk]},
    )
    assert response.status_code == 302
    discovered.refresh_from_db()
    assert discovered.confirmed


def test_the_source_page_shows_its_ingestion_report(client):
    taxonomy_load()
    call_command("load_sources", str(SEEDS / "003_8207376e8224c9f5.txt"), stdout=StringIO())
    editor, _ = demo.demo_editor_ensure()
    client.force_login(editor)
    source = Source.objects.get()
    content = client.get(reverse("admin:sources_source_change", args=[source.pk])).content
    page = content.decode()
    assert "全市首家“首都工匠学院”落户北京市总工会职工大学" in page
    assert "introduction before the first entry: year overview, no single occurrence" in page
    assert reverse("admin:events_event_change", args=[source.events.first().pk]) in page


def test_the_unmerge_action_separates_an_account(editor_client):
    event = Event.objects.get(title="首届大国工匠创新交流大会举办")
    other = SourceFactory()
    account = Provenance.objects.create(
        event=event, source=other, excerpt=other.text[:10], start=0, end=10, merge_reason="test"
    )
    response = editor_client.post(
        reverse("admin:events_provenance_changelist"),
        {"action": "unmerge", "_selected_action": [account.pk]},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.event_id != event.pk
    assert event.provenances.count() == 1
