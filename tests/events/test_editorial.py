"""The editorial desk: roles, review decisions, merge and split, duplicates, history, upload."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from events import roles, services
from events.models import (
    Category,
    DuplicateDismissal,
    Event,
    EventMerge,
    EventStatus,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
)
from events.selectors import duplicate_candidates
from events.taxonomy import taxonomy_load
from tests.factories import EventFactory, MetricFactory, OrganisationFactory, SourceFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
WEB_CHRONICLE = "001_cc9b9e4083e5dcfd.txt"


def member_of(role: str):
    user = get_user_model().objects.create_user(
        username=f"user-{role}", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def as_role(client):
    def login(role: str):
        client.force_login(member_of(role))
        return client

    return login


def test_the_three_roles_exist_with_their_decisions():
    chief = Group.objects.get(name=roles.CHIEF_EDITOR)
    editor = Group.objects.get(name=roles.EDITOR)
    reader = Group.objects.get(name=roles.READER)
    codenames = {group: set(group.permissions.values_list("codename", flat=True)) for group in
                 (chief, editor, reader)}  # fmt: skip
    assert {"publish_event", "merge_event", "delete_event"} <= codenames[chief]
    assert not {"publish_event", "merge_event", "delete_event"} & codenames[editor]
    assert {"change_event", "add_source", "view_event"} <= codenames[editor]
    assert all(codename.startswith("view_") for codename in codenames[reader])
    assert not any(c.startswith(("add_historical", "change_historical")) for c in codenames[chief])


# (role, action, allowed). Each action is done through the admin as that role would.
PERMISSION_MATRIX = [
    (roles.READER, "view", True),
    (roles.EDITOR, "view", True),
    (roles.CHIEF_EDITOR, "view", True),
    (roles.READER, "edit", False),
    (roles.EDITOR, "edit", True),
    (roles.CHIEF_EDITOR, "edit", True),
    (roles.READER, "publish", False),
    (roles.EDITOR, "publish", False),
    (roles.CHIEF_EDITOR, "publish", True),
    (roles.EDITOR, "reject", False),
    (roles.CHIEF_EDITOR, "reject", True),
    (roles.EDITOR, "bulk-publish", False),
    (roles.CHIEF_EDITOR, "bulk-publish", True),
    (roles.EDITOR, "merge", False),
    (roles.CHIEF_EDITOR, "merge", True),
    (roles.EDITOR, "delete", False),
    (roles.CHIEF_EDITOR, "delete", True),
    (roles.READER, "upload", False),
    (roles.EDITOR, "upload", True),
]


def do(client, action: str, event: Event, other: Event) -> bool:
    """Attempt ``action`` on ``event``; True when it took effect."""
    if action == "view":
        return client.get(reverse("admin:events_event_changelist")).status_code == 200
    if action == "edit":
        url = reverse("admin:events_event_change", args=[event.pk])
        response = client.get(url)
        return (
            response.status_code == 200
            and "adminform" in response.context
            and (
                not response.context["adminform"].form.fields["title"].disabled
                if "title" in response.context["adminform"].form.fields
                else False
            )
        )
    if action in ("publish", "reject"):
        response = client.post(reverse("admin:events_event_review", args=[event.pk, action]))
        event.refresh_from_db()
        expected = EventStatus.PUBLISHED if action == "publish" else EventStatus.REJECTED
        return response.status_code == 302 and event.status == expected
    if action == "bulk-publish":
        client.post(
            reverse("admin:events_event_changelist"),
            {"action": "publish", "_selected_action": [event.pk]},
        )
        event.refresh_from_db()
        return event.status == EventStatus.PUBLISHED
    if action == "merge":
        client.post(
            reverse("admin:events_event_changelist"),
            {"action": "merge", "_selected_action": [event.pk, other.pk]},
        )
        return EventMerge.objects.exists()
    if action == "delete":
        client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
        return not Event.objects.filter(pk=event.pk).exists()
    if action == "upload":
        return client.get(reverse("admin:events_event_upload")).status_code == 200
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "allowed"), PERMISSION_MATRIX)
def test_each_role_may_do_what_its_role_allows(as_role, role, action, allowed):
    event, other = EventFactory(), EventFactory()
    assert do(as_role(role), action, event, other) is allowed


def test_status_is_never_edited_in_the_form_only_by_decision(as_role):
    client = as_role(roles.EDITOR)
    event = EventFactory()
    form = client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"]
    assert "status" not in form.form.fields


def test_merge_moves_everything_and_undo_gives_it_back():
    target, other = EventFactory(), EventFactory()
    metric = MetricFactory(event=other, source=other.provenances.get().source)
    account = other.provenances.get()
    (merge,) = services.event_merge(target=target, others=[other], by=None)
    other.refresh_from_db()
    assert other.merged_into == target
    assert set(target.provenances.all()) >= {account}
    assert Metric.objects.get(pk=metric.pk).event == target
    assert other not in Event.objects.current()
    services.event_publish(event=target, by=None)
    assert list(Event.objects.published()) == [target]

    services.event_merge_undo(merge=merge, by=None)
    other.refresh_from_db()
    assert other.merged_into is None
    assert list(other.provenances.all()) == [account]
    assert Metric.objects.get(pk=metric.pk).event == other
    assert EventMerge.objects.get().undone_at is not None


def test_a_merged_event_cannot_be_published_on_its_own():
    target, other = EventFactory(), EventFactory()
    services.event_merge(target=target, others=[other], by=None)
    with pytest.raises(ValidationError) as caught:
        services.event_publish(event=Event.objects.get(pk=other.pk), by=None)
    assert caught.value.code == "merged"


def test_split_makes_accounts_an_event_of_their_own():
    event = EventFactory()
    second_source = SourceFactory()
    account = Provenance.objects.create(
        event=event, source=second_source, excerpt=second_source.text[:12], start=0, end=12
    )
    separate = services.event_split(provenances=[account], by=None)
    assert list(separate.provenances.all()) == [account]
    assert event.provenances.count() == 1
    assert "title" in Event.objects.get(pk=event.pk).edited_fields


def test_duplicate_queue_proposes_same_day_events_of_different_sources():
    first = EventFactory(title="首届大国工匠创新交流大会在深圳举办")
    second = EventFactory(title="首届大国工匠创新交流大会举办")
    EventFactory(title="第十一届金砖国家工会论坛举行", date_start="2022-07-01", date_end=None)
    pairs = duplicate_candidates()
    assert [(pair.first, pair.second) for pair in pairs] == [(first, second)]
    services.duplicate_dismiss(first=second, second=first, by=None)
    assert DuplicateDismissal.objects.get().first == first
    assert duplicate_candidates() == []


def test_duplicate_queue_page_merges_and_dismisses(as_role):
    client = as_role(roles.CHIEF_EDITOR)
    first = EventFactory(title="首届大国工匠创新交流大会在深圳举办")
    second = EventFactory(title="首届大国工匠创新交流大会举办")
    page = client.get(reverse("admin:events_event_duplicates"))
    assert first.title in page.content.decode()
    client.post(
        reverse("admin:events_event_duplicates"),
        {"first": first.pk, "second": second.pk, "decision": "merge"},
    )
    assert Event.objects.get(pk=second.pk).merged_into_id == first.pk


def test_every_change_is_kept_with_who_and_can_be_seen(as_role):
    client = as_role(roles.CHIEF_EDITOR)
    event = EventFactory()
    client.post(reverse("admin:events_event_review", args=[event.pk, "publish"]))
    history = Event.history.filter(id=event.pk).order_by("history_date")
    assert [record.status for record in history] == ["draft", "published"]
    assert history.last().history_user.username == f"user-{roles.CHIEF_EDITOR}"
    page = client.get(reverse("admin:events_event_history", args=[event.pk]))
    assert page.status_code == 200


def test_an_upload_goes_through_the_loader_and_lands_on_its_drafts(as_role):
    taxonomy_load()
    client = as_role(roles.EDITOR)
    data = (SEEDS / "003_8207376e8224c9f5.txt").read_bytes()
    response = client.post(
        reverse("admin:events_event_upload"),
        {"file": SimpleUploadedFile("首都工会十大新闻.txt", data), "kind": "top-news"},
    )
    assert response.status_code == 302
    source_id = int(response.url.rsplit("source=", 1)[1])
    assert Event.objects.filter(provenances__source=source_id).count() >= 10
    listing = client.get(response.url)
    assert "全市首家“首都工匠学院”落户北京市总工会职工大学" in listing.content.decode()


def test_a_bad_upload_is_refused_with_the_reason(as_role):
    client = as_role(roles.EDITOR)
    response = client.post(
        reverse("admin:events_event_upload"), {"file": SimpleUploadedFile("空.txt", b"   ")}
    )
    assert response.status_code == 200
    assert "空.txt: file contains only whitespace" in str(response.context["form"].errors)


def test_the_source_page_marks_every_span(as_role):
    client = as_role(roles.READER)
    event = EventFactory()
    provenance = event.provenances.get()
    page = client.get(reverse("admin:sources_source_change", args=[provenance.source_id]))
    content = page.content.decode()
    assert f'id="span-{provenance.start}-{provenance.end}"' in content
    assert f'<mark title="{event.title}">{provenance.excerpt}</mark>' in content


def test_reimport_undoes_no_editorial_decision(tmp_path):
    taxonomy_load()
    path = tmp_path / "chronicle.txt"
    shutil.copy(SEEDS / WEB_CHRONICLE, path)
    call_command("load_sources", str(path), stdout=StringIO())
    congress = Event.objects.get(title="首届大国工匠创新交流大会举办")
    letter = Event.objects.get(title="习近平总书记向首届大国工匠创新交流大会致贺信")
    services.event_merge(target=congress, others=[letter], by=None)
    rejected = Event.objects.get(title="互联网百强企业全部建立工会")
    services.event_reject(event=rejected, by=None)
    path.write_text(
        path.read_text(encoding="utf-8").replace("大会以线上线下", "大会以线上和线下"),
        encoding="utf-8",
    )
    call_command("load_sources", str(path), stdout=StringIO())
    assert Event.objects.get(pk=letter.pk).merged_into_id == congress.pk
    assert Event.objects.get(pk=rejected.pk).status == EventStatus.REJECTED
    assert Event.objects.get(pk=congress.pk).title == "首届大国工匠创新交流大会举办"
    assert not Event.objects.filter(title=letter.title, merged_into__isnull=True).exists()


def test_merging_organisations_carries_names_and_events_over(as_role):
    client = as_role(roles.CHIEF_EDITOR)
    acftu = OrganisationFactory(name="中华全国总工会", slug="acftu", confirmed=True)
    OrganisationAlias.objects.create(organisation=acftu, name="全总")
    duplicate = OrganisationFactory(name="全国总工会", slug="quanguo")
    OrganisationAlias.objects.create(organisation=duplicate, name="全国总工会机关")
    event = EventFactory()
    event.organisations.add(duplicate)
    client.post(
        reverse("admin:events_organisation_changelist"),
        {"action": "merge", "_selected_action": [acftu.pk, duplicate.pk]},
    )
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert set(acftu.aliases.values_list("name", flat=True)) == {
        "全总",
        "全国总工会",
        "全国总工会机关",
    }
    assert list(event.organisations.all()) == [acftu]
    assert Organisation.objects.named("全国总工会").get() == acftu


def test_an_editor_may_not_merge_organisations(as_role):
    client = as_role(roles.EDITOR)
    first, second = OrganisationFactory(), OrganisationFactory()
    client.post(
        reverse("admin:events_organisation_changelist"),
        {"action": "merge", "_selected_action": [first.pk, second.pk]},
    )
    assert Organisation.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_the_split_action_moves_several_accounts_to_one_new_event(as_role):
    client = as_role(roles.CHIEF_EDITOR)
    event = EventFactory()
    accounts = []
    for _ in range(2):
        source = SourceFactory()
        accounts.append(
            Provenance.objects.create(
                event=event, source=source, excerpt=source.text[:8], start=0, end=8
            )
        )
    response = client.post(
        reverse("admin:events_provenance_changelist"),
        {"action": "split", "_selected_action": [a.pk for a in accounts]},
    )
    separate = Event.objects.exclude(pk=event.pk).get()
    assert response.url == reverse("admin:events_event_change", args=[separate.pk])
    assert set(separate.provenances.all()) == set(accounts)
    assert event.provenances.count() == 1


def form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "all"):
            value = [item.pk for item in value.all()]
        elif isinstance(value, list):
            value = [getattr(item, "pk", item) for item in value]
        data[name] = value
    return data


def test_an_editor_reverts_an_event_to_an_earlier_version(as_role):
    client = as_role(roles.EDITOR)
    event = EventFactory(title="首届大国工匠创新交流大会举办")
    first_version = event.history.earliest()
    event.title = "错误的标题"
    event.save()
    services.event_publish(event=event, by=None)
    url = reverse("admin:events_event_simple_history", args=[event.pk, first_version.history_id])
    form = client.get(url).context["adminform"].form
    response = client.post(url, form_data(form))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "首届大国工匠创新交流大会举办"
    assert "title" in event.edited_fields
    # The old version's wording came back, not its decision: it stays published.
    assert event.status == EventStatus.PUBLISHED
    assert event.history.count() == 4


def test_a_chief_undoes_a_merge_from_the_merge_records(as_role):
    client = as_role(roles.CHIEF_EDITOR)
    target, other = EventFactory(), EventFactory()
    (merge,) = services.event_merge(target=target, others=[other], by=None)
    client.post(
        reverse("admin:events_eventmerge_changelist"),
        {"action": "undo", "_selected_action": [merge.pk]},
    )
    assert Event.objects.get(pk=other.pk).merged_into is None


def test_bulk_category_and_back_to_draft(as_role):
    taxonomy_load()
    client = as_role(roles.CHIEF_EDITOR)
    event = EventFactory(published=True)
    category = Category.objects.get(slug="meetings")
    changelist = reverse("admin:events_event_changelist")
    client.post(
        changelist,
        {"action": "set_category", "category": category.pk, "_selected_action": [event.pk]},
    )
    client.post(changelist, {"action": "to_draft", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.category == category
    assert event.status == EventStatus.DRAFT
    assert event.edited_fields == ["category"]
