"""The chronicle admin through the test client: lists, forms, buttons and permissions."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from docx import Document

from chronicles import services
from chronicles.models import Chronicle, ChronicleEdition
from tests.chronicles.factories import (
    ChronicleEntryFactory,
    ChronicleFactory,
    PublishedEventFactory,
)
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EDITOR_PERMISSIONS = [
    "view_chronicle",
    "add_chronicle",
    "change_chronicle",
    "delete_chronicle",
    "view_chronicleentry",
    "add_chronicleentry",
    "change_chronicleentry",
    "delete_chronicleentry",
    "view_chronicleedition",
    "view_event",
]


def staff(username, codenames):
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def editor_client(client):
    client.force_login(staff("editor", EDITOR_PERMISSIONS))
    return client


@pytest.fixture
def publisher_client(client):
    client.force_login(staff("publisher", [*EDITOR_PERMISSIONS, "publish_chronicle"]))
    return client


@pytest.fixture
def chronicle():
    """The 2022 chronicle with one entry, 首届大国工匠创新交流大会 of 27 to 29 April."""
    entry = ChronicleEntryFactory(
        event__title="首届大国工匠创新交流大会举办",
        event__date_start=datetime.date(2022, 4, 27),
        event__date_end=datetime.date(2022, 4, 29),
    )
    return entry.chronicle


def url(name, *args):
    return reverse(f"admin:chronicles_{name}", args=args)


def formset_data(chronicle_fields, entries=()):
    data = {
        **chronicle_fields,
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        "editions-TOTAL_FORMS": "0",
        "editions-INITIAL_FORMS": "0",
        "editions-MIN_NUM_FORMS": "0",
        "editions-MAX_NUM_FORMS": "0",
    }
    for index, entry in enumerate(entries):
        data.update({f"entries-{index}-{key}": value for key, value in entry.items()})
    return data


# --- lists and forms ---------------------------------------------------------------------


def test_the_chronicle_list_shows_entries_and_editions(publisher_client, chronicle):
    services.chronicle_publish(chronicle=chronicle, by=None)
    response = publisher_client.get(url("chronicle_changelist"))
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.year, row.entry_count, row.edition_count) == (2022, 1, 1)
    assert "2022年工会工作大事记" in response.text


@pytest.mark.parametrize("name", ["chronicle_add", "chronicleedition_changelist"])
def test_the_add_form_and_edition_list_open(editor_client, name):
    assert editor_client.get(url(name)).status_code == 200


def test_the_change_form_lists_the_entries_with_their_chinese_dates(editor_client, chronicle):
    response = editor_client.get(url("chronicle_change", chronicle.pk))
    assert response.status_code == 200
    assert "2022年4月27日至29日" in response.text


def test_a_chronicle_added_without_a_title_takes_the_default(editor_client):
    response = editor_client.post(
        url("chronicle_add"), formset_data({"year": "2023", "title": "", "introduction": ""})
    )
    assert response.status_code == 302
    assert Chronicle.objects.get().title == "2023年工会工作大事记"


def test_the_add_form_refuses_an_entry_of_another_year(editor_client):
    other_year = PublishedEventFactory(date_start=datetime.date(2021, 5, 1), date_end=None)
    response = editor_client.post(
        url("chronicle_add"),
        formset_data(
            {"year": "2022", "title": "", "introduction": ""},
            [{"event": other_year.pk, "position": "0", "text": ""}],
        ),
    )
    assert response.status_code == 200
    assert not Chronicle.objects.exists()
    entry_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert entry_form.errors.as_data()["event"][0].code == "event_outside_year"


def test_the_change_form_offers_only_published_events_of_the_year(editor_client, chronicle):
    draft = EventFactory(date_start=datetime.date(2022, 5, 1), date_end=None)
    data = formset_data(
        {"year": "2022", "title": chronicle.title, "introduction": ""},
        [{"event": draft.pk, "position": "0", "text": "", "chronicle": chronicle.pk}],
    )
    data["entries-TOTAL_FORMS"] = "1"
    response = editor_client.post(url("chronicle_change", chronicle.pk), data)
    assert response.status_code == 200
    assert chronicle.entries.count() == 1
    assert "event" in response.context["inline_admin_formsets"][0].formset.errors[0]


def test_the_event_search_offers_published_events_of_the_year_not_yet_held(
    editor_client, chronicle
):
    wanted = PublishedEventFactory(
        title="全国总工会召开十八届一次执委会", date_start=datetime.date(2022, 6, 1), date_end=None
    )
    PublishedEventFactory(
        title="全国总工会另一年的会议", date_start=datetime.date(2023, 6, 1), date_end=None
    )
    EventFactory(title="全国总工会草稿会议", date_start=datetime.date(2022, 6, 2), date_end=None)
    response = editor_client.get(url("chronicle_events", chronicle.pk), {"term": "全国总工会"})
    assert response.json() == {
        "results": [
            {"id": str(wanted.pk), "text": "2022年6月1日\u3000全国总工会召开十八届一次执委会"}
        ],
        "pagination": {"more": False},
    }
    held = chronicle.entries.get().event
    everything = editor_client.get(url("chronicle_events", chronicle.pk)).json()["results"]
    assert str(held.pk) not in {result["id"] for result in everything}


def test_the_entry_field_searches_the_chronicles_own_events(editor_client, chronicle):
    response = editor_client.get(url("chronicle_change", chronicle.pk))
    assert url("chronicle_events", chronicle.pk) in response.text


# --- buttons -----------------------------------------------------------------------------


def test_the_populate_button_adds_the_years_published_events(editor_client, chronicle):
    PublishedEventFactory(date_start=datetime.date(2022, 9, 1), date_end=None)
    response = editor_client.post(
        url("chronicle_populate", chronicle.pk), follow=True, headers={"accept-language": "en"}
    )
    assert chronicle.entries.count() == 2
    assert [str(m) for m in response.context["messages"]] == [
        "1 published event of 2022 added to the chronicle."
    ]


def test_the_populate_button_does_nothing_on_a_get(editor_client, chronicle):
    PublishedEventFactory(date_start=datetime.date(2022, 9, 1), date_end=None)
    response = editor_client.get(url("chronicle_populate", chronicle.pk))
    assert response.status_code == 302
    assert chronicle.entries.count() == 1


def test_the_populate_action_fills_the_selected_chronicles(editor_client, chronicle):
    PublishedEventFactory(date_start=datetime.date(2022, 9, 1), date_end=None)
    editor_client.post(
        url("chronicle_changelist"),
        {"action": "populate", "_selected_action": [chronicle.pk]},
    )
    assert chronicle.entries.count() == 2


def test_a_viewer_cannot_populate(client, chronicle):
    client.force_login(staff("viewer", ["view_chronicle", "view_event"]))
    PublishedEventFactory(date_start=datetime.date(2022, 9, 1), date_end=None)
    assert client.post(url("chronicle_populate", chronicle.pk)).status_code == 403
    assert chronicle.entries.count() == 1


def test_the_markdown_preview_shows_the_draft(editor_client, chronicle):
    response = editor_client.get(url("chronicle_markdown", chronicle.pk))
    assert response.status_code == 200
    assert "**4月27日至29日**\u3000首届大国工匠创新交流大会举办" in response.context["markdown"]
    assert "首届大国工匠创新交流大会举办" in response.text


def test_the_markdown_download_is_named_after_the_chinese_title(editor_client, chronicle):
    response = editor_client.get(url("chronicle_markdown", chronicle.pk), {"download": "1"})
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="chronicle-2022-draft.md"; '
        f"filename*=utf-8''{quote('2022年工会工作大事记（草稿）.md')}"
    )
    assert response.content.decode().startswith("# 2022年工会工作大事记")


def test_the_word_download_opens_and_holds_the_entries(editor_client, chronicle):
    response = editor_client.get(url("chronicle_docx", chronicle.pk))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert (
        f"filename*=utf-8''{quote('2022年工会工作大事记（草稿）.docx')}"
        in (response["Content-Disposition"])
    )
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "4月27日至29日\u3000首届大国工匠创新交流大会举办" in texts


def test_a_staff_member_without_chronicle_permissions_gets_no_download(client, chronicle):
    client.force_login(staff("stranger", ["view_event"]))
    assert client.get(url("chronicle_docx", chronicle.pk)).status_code == 403
    assert client.get(url("chronicle_markdown", chronicle.pk)).status_code == 403


# --- publishing --------------------------------------------------------------------------


def test_a_publisher_sees_the_publish_button(publisher_client, chronicle):
    response = publisher_client.get(url("chronicle_change", chronicle.pk))
    assert url("chronicle_publish", chronicle.pk) in response.text


def test_an_editor_without_the_permission_sees_no_publish_button(editor_client, chronicle):
    response = editor_client.get(url("chronicle_change", chronicle.pk))
    assert url("chronicle_publish", chronicle.pk) not in response.text


def test_publishing_asks_for_confirmation_then_makes_an_edition(publisher_client, chronicle):
    confirmation = publisher_client.get(url("chronicle_publish", chronicle.pk))
    assert confirmation.status_code == 200
    assert confirmation.context["next_number"] == 1
    assert not ChronicleEdition.objects.exists()

    response = publisher_client.post(url("chronicle_publish", chronicle.pk))
    assert response.status_code == 302
    edition = ChronicleEdition.objects.get()
    assert (edition.number, edition.published_by.username) == (1, "publisher")


def test_publishing_is_denied_without_the_publish_permission(editor_client, chronicle):
    assert editor_client.get(url("chronicle_publish", chronicle.pk)).status_code == 403
    assert editor_client.post(url("chronicle_publish", chronicle.pk)).status_code == 403
    assert not ChronicleEdition.objects.exists()


def test_publishing_an_empty_chronicle_reports_why(publisher_client):
    empty = ChronicleFactory(year=2024)
    response = publisher_client.post(url("chronicle_publish", empty.pk), follow=True)
    assert not ChronicleEdition.objects.exists()
    assert len(list(response.context["messages"])) == 1


# --- editions ----------------------------------------------------------------------------


@pytest.fixture
def edition(chronicle):
    return services.chronicle_publish(chronicle=chronicle, by=None)


def test_an_edition_page_is_read_only(publisher_client, edition):
    response = publisher_client.get(
        url("chronicleedition_change", edition.pk), headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.text
    assert "First edition." in response.text


def test_an_edition_cannot_be_changed_or_deleted_through_the_admin(publisher_client, edition):
    frozen = edition.snapshot
    response = publisher_client.post(
        url("chronicleedition_change", edition.pk), {"number": "5", "markdown": "改写"}
    )
    assert response.status_code == 403
    assert publisher_client.post(url("chronicleedition_delete", edition.pk)).status_code == 403
    edition.refresh_from_db()
    assert (edition.number, edition.snapshot) == (1, frozen)


def test_an_edition_downloads_as_published(editor_client, edition, chronicle):
    entry = chronicle.entries.get()
    entry.text = "发布之后改写的条目"
    entry.save()
    markdown = editor_client.get(url("chronicleedition_download", edition.pk, "md"))
    assert markdown.content.decode() == edition.markdown
    assert "chronicle-2022-edition-1.md" in markdown["Content-Disposition"]
    word = editor_client.get(url("chronicleedition_download", edition.pk, "docx"))
    texts = [p.text for p in Document(io.BytesIO(word.content)).paragraphs]
    assert "第1版" in texts[1]
    assert "发布之后改写的条目" not in texts


def test_an_unknown_edition_format_is_not_found(editor_client, edition):
    assert editor_client.get(url("chronicleedition_download", edition.pk, "pdf")).status_code == 404
