"""The REST API: contract shapes, visibility, filters, writes by role, errors, query counts."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from events import roles, services
from events.models import Event, OrganisationAlias
from events.search import search_index_update
from events.taxonomy import taxonomy_load
from tests.chronicles.factories import ChronicleEntryFactory
from tests.factories import EventFactory, MetricFactory, OrganisationFactory, SourceFactory

pytestmark = pytest.mark.django_db


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def token_for(role: str) -> str:
    user = get_user_model().objects.create_user(username=f"api-{role}", password="x")
    user.groups.add(Group.objects.get(name=role))
    return Token.objects.create(user=user).key


@pytest.fixture
def as_role(client):
    def login(role: str):
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token_for(role)}"
        return client

    return login


class TestVisibility:
    def test_anonymous_readers_see_published_events_only(self, client):
        published = EventFactory(published=True)
        EventFactory()
        EventFactory(status="rejected")
        assert ids(client.get(reverse("api:event-list"))) == [published.pk]

    def test_a_draft_is_not_found_by_anonymous_readers(self, client):
        draft = EventFactory()
        assert client.get(reverse("api:event-detail", args=[draft.pk])).status_code == 404

    def test_anonymous_readers_may_not_ask_for_drafts(self, client):
        response = client.get(reverse("api:event-list"), {"status": "draft"})
        assert response.status_code == 403
        assert "status" in response.json()

    @pytest.mark.parametrize("role", [roles.READER, roles.EDITOR, roles.CHIEF_EDITOR])
    def test_editorial_roles_see_drafts_on_request(self, as_role, role):
        published, draft = EventFactory(published=True), EventFactory()
        client = as_role(role)
        assert ids(client.get(reverse("api:event-list"))) == [published.pk]
        assert ids(client.get(reverse("api:event-list"), {"status": "draft"})) == [draft.pk]
        assert set(ids(client.get(reverse("api:event-list"), {"status": "all"}))) == {
            published.pk,
            draft.pk,
        }

    def test_merged_events_are_gone_from_lists(self, client):
        target, other = EventFactory(published=True), EventFactory(published=True)
        services.event_merge(target=target, others=[other], by=None)
        assert ids(client.get(reverse("api:event-list"))) == [target.pk]

    def test_metrics_organisations_and_sources_of_drafts_stay_hidden(self, client):
        draft = EventFactory()
        draft.organisations.add(OrganisationFactory())
        MetricFactory(event=draft, source=draft.provenances.get().source)
        for name in ("metric", "organisation", "source"):
            assert client.get(reverse(f"api:{name}-list")).json()["count"] == 0, name

    def test_organisation_event_count_counts_only_what_the_reader_sees(self, client):
        organisation = OrganisationFactory()
        EventFactory(published=True).organisations.add(organisation)
        EventFactory().organisations.add(organisation)
        (shape,) = client.get(reverse("api:organisation-list")).json()["results"]
        assert shape["event_count"] == 1

    def test_source_text_only_on_the_detail(self, client):
        source = EventFactory(published=True).provenances.get().source
        listed = client.get(reverse("api:source-list")).json()["results"][0]
        detail = client.get(reverse("api:source-detail", args=[source.pk])).json()
        assert "text" not in listed
        assert detail["text"] == source.text


class TestFilters:
    def test_year_takes_every_event_touching_it(self, client):
        inside = EventFactory(published=True, date_start=day("2022-06-21"), date_end=None)
        across = EventFactory(
            published=True, date_start=day("2021-09-01"), date_end=day("2022-09-30")
        )
        EventFactory(published=True, date_start=day("2021-01-05"), date_end=None)
        found = ids(client.get(reverse("api:event-list"), {"year": 2022}))
        assert set(found) == {inside.pk, across.pk}

    @pytest.mark.parametrize(
        ("after", "matches"),
        [("2022-07-15", True), ("2022-07-31", True), ("2022-08-01", False)],
    )
    def test_date_after_overlaps_a_month_precision_period(self, client, after, matches):
        july = EventFactory(
            published=True, date_start=day("2022-07-01"), date_end=None, date_precision="month"
        )
        found = ids(client.get(reverse("api:event-list"), {"date_after": after}))
        assert (july.pk in found) is matches

    def test_date_before_takes_periods_starting_by_then(self, client):
        early = EventFactory(published=True, date_start=day("2022-04-27"))
        EventFactory(published=True, date_start=day("2022-09-02"), date_end=None)
        assert ids(client.get(reverse("api:event-list"), {"date_before": "2022-05-01"})) == [
            early.pk
        ]

    @pytest.mark.parametrize("name", ["acftu", "中华全国总工会", "全总", "全国总工会", "id"])
    def test_organisation_by_id_slug_name_or_alias(self, client, name):
        acftu = OrganisationFactory(name="中华全国总工会", slug="acftu")
        OrganisationAlias.objects.create(organisation=acftu, name="全总")
        OrganisationAlias.objects.create(organisation=acftu, name="全国总工会")
        theirs = EventFactory(published=True)
        theirs.organisations.add(acftu)
        EventFactory(published=True)
        value = str(acftu.pk) if name == "id" else name
        assert ids(client.get(reverse("api:event-list"), {"organisation": value})) == [theirs.pk]

    def test_category_source_kind_place_and_q(self, client):
        taxonomy_load()
        from events.models import Category

        meeting = EventFactory(
            published=True,
            title="第十一届金砖国家工会论坛在北京举行",
            place="北京",
            kind="happened",
            category=Category.objects.get(slug="foreign-exchange"),
        )
        other = EventFactory(published=True, kind="planned")
        # Search index: factories write around the services, as a bulk import would.
        search_index_update(events=[meeting, other])
        source = meeting.provenances.get().source
        url = reverse("api:event-list")
        assert ids(client.get(url, {"category": "foreign-exchange"})) == [meeting.pk]
        assert ids(client.get(url, {"source": source.pk})) == [meeting.pk]
        assert ids(client.get(url, {"kind": "planned"})) == [other.pk]
        assert ids(client.get(url, {"place": "北京"})) == [meeting.pk]
        assert ids(client.get(url, {"q": "金砖 工会"})) == [meeting.pk]
        assert ids(client.get(url, {"q": "金砖 不存在"})) == []

    def test_ordering_and_updated_since(self, client):
        first = EventFactory(published=True, date_start=day("2022-01-05"), date_end=None)
        second = EventFactory(published=True, date_start=day("2022-03-05"), date_end=None)
        url = reverse("api:event-list")
        assert ids(client.get(url, {"ordering": "-date_start"})) == [second.pk, first.pk]
        Event.objects.filter(pk=first.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=2)
        )
        since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
        assert ids(client.get(url, {"updated_since": since})) == [second.pk]

    def test_metric_and_organisation_filters(self, client):
        event = EventFactory(published=True)
        metric = MetricFactory(event=event, source=event.provenances.get().source)
        organisation = OrganisationFactory(name="北京花乡花木集团", level="enterprise")
        event.organisations.add(organisation)
        metrics = reverse("api:metric-list")
        assert ids(client.get(metrics, {"unit": "平方米", "value_min": 10000})) == [metric.pk]
        assert ids(client.get(metrics, {"value_max": 100})) == []
        assert ids(client.get(metrics, {"label": "面积"})) == [metric.pk]
        organisations = reverse("api:organisation-list")
        assert ids(client.get(organisations, {"q": "花乡", "level": "enterprise"})) == [
            organisation.pk
        ]


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "parameter"),
        [
            ({"date_after": "2022-13-40"}, "date_after"),
            ({"year": "二〇二二"}, "year"),
            ({"category": "no-such-category"}, "category"),
            ({"organisation": "不存在的工会"}, "organisation"),
            ({"page_size": "1000000"}, "page_size"),
            ({"page_size": "0"}, "page_size"),
            ({"page": "first"}, "page"),
            ({"kind": "rumoured"}, "kind"),
            ({"updated_since": "yesterday"}, "updated_since"),
            ({"q": "工匠" * 101}, "q"),
        ],
    )
    def test_bad_input_answers_400_naming_the_parameter(self, client, params, parameter):
        response = client.get(reverse("api:event-list"), params)
        assert response.status_code == 400
        assert parameter in response.json()

    @pytest.mark.parametrize(
        ("name", "params", "parameter"),
        [
            # Found by the fuzzer: ids beyond 64 bits overflowed inside the database driver.
            ("api:metric-list", {"event": str(10**25)}, "event"),
            ("api:metric-list", {"source": "0"}, "source"),
            ("api:metric-list", {"year": "0.0"}, "year"),
            ("api:event-list", {"source": str(2**63)}, "source"),
            # Any word but true or false used to filter nothing at all.
            ("api:organisation-list", {"confirmed": "null"}, "confirmed"),
        ],
    )
    def test_bad_filters_of_every_list_answer_400(self, client, name, params, parameter):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert parameter in response.json()

    # Found by the fuzzer on PostgreSQL, which refuses offsets beyond ±15:59 that Python
    # reads: moments are handed on in UTC, and one before year 1 in UTC is a 400.
    @pytest.mark.parametrize(
        ("name", "parameter"), [("api:changes", "since"), ("api:event-list", "updated_since")]
    )
    def test_a_moment_with_any_offset_python_reads_is_answered(self, client, name, parameter):
        moment = "0023-07-11T14:13:06.6+20:06"
        assert client.get(reverse(name), {parameter: moment}).status_code == 200
        response = client.get(reverse(name), {parameter: "0001-01-01T00:00:00+20:00"})
        assert response.status_code == 400
        assert parameter in response.json()

    # Found by the fuzzer on PostgreSQL, which cannot look up text holding NUL.
    @pytest.mark.parametrize(
        "url",
        [
            "/api/events/?category=a%00b",
            "/api/events/?q=%00",
            "/api/organisations/?q=%00",
            "/events/?category=a%00b",
            "/organisations/a%00b/",
        ],
    )
    def test_a_nul_character_in_the_url_is_a_400(self, client, url):
        response = client.get(url)
        assert response.status_code == 400
        assert "NUL" in response.content.decode() or "空字符" in response.content.decode()

    def test_an_empty_filter_is_a_filter_not_given(self, client):
        published = EventFactory(published=True)
        response = client.get(reverse("api:event-list"), {"updated_since": "", "year": ""})
        assert ids(response) == [published.pk]

    def test_a_method_not_offered_is_405_whatever_the_format(self, client):
        response = client.generic("TRACE", reverse("api:event-list") + "?format=csv")
        assert response.status_code == 405

    def test_a_page_past_the_end_is_not_found(self, client):
        EventFactory(published=True)
        assert client.get(reverse("api:event-list"), {"page": 9}).status_code == 404

    def test_a_non_numeric_id_is_not_found(self, client):
        assert client.get("/api/events/abc/").status_code == 404

    def test_a_malformed_token_is_refused_with_json(self, client):
        response = client.get(reverse("api:event-list"), HTTP_AUTHORIZATION="Token not-a-token")
        assert response.status_code == 401
        assert "detail" in response.json()

    def test_changes_needs_a_moment(self, client):
        assert "since" in client.get(reverse("api:changes")).json()
        response = client.get(reverse("api:changes"), {"since": "last tuesday"})
        assert response.status_code == 400
        assert "since" in response.json()


class TestWrites:
    def payload(self, source) -> dict:
        return {
            "title": "首届大国工匠论坛在长沙举办",
            "date_start": "2022-09-02",
            "date_precision": "day",
            "date_text": "2022年9月2日",
            "kind": "happened",
            "tags": ["大国工匠"],
            "sources": [{"id": source.pk, "start": 0, "end": 12}],
        }

    def test_anonymous_clients_cannot_write(self, client):
        source = SourceFactory()
        response = client.post(
            reverse("api:event-list"), self.payload(source), content_type="application/json"
        )
        assert response.status_code in (401, 403)
        assert not Event.objects.exists()

    def test_a_reader_cannot_write(self, as_role):
        source = SourceFactory()
        client = as_role(roles.READER)
        response = client.post(
            reverse("api:event-list"), self.payload(source), content_type="application/json"
        )
        assert response.status_code == 403

    def test_an_editor_creates_a_draft_with_its_provenance(self, as_role):
        source = SourceFactory()
        client = as_role(roles.EDITOR)
        response = client.post(
            reverse("api:event-list"), self.payload(source), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        shape = response.json()
        assert shape["status"] == "draft"
        assert shape["sources"][0]["excerpt"] == source.text[:12]
        assert shape["tags"] == ["大国工匠"]

    def test_an_event_needs_a_source_and_consistent_dates(self, as_role):
        client = as_role(roles.EDITOR)
        payload = self.payload(SourceFactory())
        response = client.post(
            reverse("api:event-list"), {**payload, "sources": []}, content_type="application/json"
        )
        assert "sources" in response.json()
        response = client.post(
            reverse("api:event-list"),
            {**payload, "date_end": "2022-01-01"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "date_end" in response.json()

    def test_an_editors_update_is_remembered_against_reimports(self, as_role):
        event = EventFactory()
        client = as_role(roles.EDITOR)
        response = client.patch(
            reverse("api:event-detail", args=[event.pk]),
            {"title": "首届大国工匠创新交流大会在深圳举办"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        event.refresh_from_db()
        assert event.title == "首届大国工匠创新交流大会在深圳举办"
        assert event.edited_fields == ["title"]

    @pytest.mark.parametrize(
        ("role", "allowed"), [(roles.EDITOR, False), (roles.CHIEF_EDITOR, True)]
    )
    def test_only_the_chief_editor_publishes_and_rejects(self, as_role, role, allowed):
        event = EventFactory()
        client = as_role(role)
        response = client.post(reverse("api:event-publish", args=[event.pk]))
        assert (response.status_code == 200) is allowed
        event.refresh_from_db()
        assert (event.status == "published") is allowed
        response = client.post(reverse("api:event-reject", args=[event.pk]))
        assert (response.status_code == 200) is allowed

    @pytest.mark.parametrize(("role", "status"), [(roles.EDITOR, 403), (roles.CHIEF_EDITOR, 204)])
    def test_only_the_chief_editor_deletes(self, as_role, role, status):
        event = EventFactory()
        response = as_role(role).delete(reverse("api:event-detail", args=[event.pk]))
        assert response.status_code == status

    def test_deleting_an_event_a_chronicle_holds_is_a_conflict_not_a_server_error(self, as_role):
        entry = ChronicleEntryFactory()
        client = as_role(roles.CHIEF_EDITOR)
        response = client.delete(reverse("api:event-detail", args=[entry.event.pk]))
        assert response.status_code == 409
        assert "chronicle" in response.json()["detail"] or "大事记" in response.json()["detail"]
        assert Event.objects.filter(pk=entry.event.pk).exists()

    def test_a_category_with_a_nul_character_names_none(self, as_role):
        source = SourceFactory()
        payload = {
            "title": "标题",
            "category": "a\x00b",
            "sources": [{"id": source.pk, "start": 0, "end": 5}],
        }
        response = as_role(roles.EDITOR).post(
            reverse("api:event-list"), payload, content_type="application/json"
        )
        assert response.status_code == 400
        assert "category" in response.json()

    def test_writes_take_json_only(self, as_role):
        source = SourceFactory()
        response = as_role(roles.EDITOR).post(
            reverse("api:event-list"),
            {"title": "表单", "sources": f'[{{"id": {source.pk}, "start": 0, "end": 5}}]'},
        )
        assert response.status_code == 415


class TestChangeFeed:
    def test_unpublished_merged_and_deleted_events_are_listed(self, client):
        before = timezone.now()
        unpublished = EventFactory(published=True)
        merged, target = EventFactory(published=True), EventFactory(published=True)
        deleted = EventFactory(published=True)
        never_public = EventFactory()
        services.event_publish(event=unpublished, by=None)
        services.event_publish(event=merged, by=None)
        services.event_publish(event=deleted, by=None)
        services.event_to_draft(event=unpublished, by=None)
        services.event_merge(target=target, others=[merged], by=None)
        deleted_id = deleted.pk
        deleted.delete()
        never_public.delete()
        changes = client.get(reverse("api:changes"), {"since": before.isoformat()}).json()
        assert {(c["id"], c["change"], c["merged_into"]) for c in changes} == {
            (unpublished.pk, "unpublished", None),
            (merged.pk, "merged", target.pk),
            (deleted_id, "deleted", None),
        }


class TestProtocol:
    def test_event_url_is_absolute_and_shapes_follow_the_contract(self, client):
        event = EventFactory(published=True)
        shape = client.get(reverse("api:event-detail", args=[event.pk])).json()
        assert shape["url"] == f"http://testserver/api/events/{event.pk}/"
        assert shape["public_url"] == f"/events/{event.pk}/"

    def test_conditional_get_answers_304_when_nothing_changed(self, client):
        EventFactory(published=True)
        first = client.get(reverse("api:event-list"))
        again = client.get(reverse("api:event-list"), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    def test_schema_and_docs_are_served_without_a_cdn(self, client):
        schema = client.get(reverse("api:schema"), {"format": "json"}).json()
        paths = schema["paths"]
        assert {"/api/events/", "/api/metrics/", "/api/organisations/", "/api/sources/",
                "/api/changes/"} <= set(paths)  # fmt: skip
        names = {p["name"] for p in paths["/api/events/"]["get"]["parameters"]}
        assert {"year", "date_after", "organisation", "q", "page_size", "status"} <= names
        # What the fuzzer holds every answer to: errors, bounds and who may read are stated.
        assert {"200", "400", "401", "403", "404", "429"} <= set(
            paths["/api/events/"]["get"]["responses"]
        )
        assert "201" in paths["/api/events/"]["post"]["responses"]
        assert {"204", "409"} <= set(paths["/api/events/{id}/"]["delete"]["responses"])
        assert {} in paths["/api/events/"]["get"]["security"]
        assert {} not in paths["/api/events/"]["post"]["security"]
        page_size = next(
            p for p in paths["/api/events/"]["get"]["parameters"] if p["name"] == "page_size"
        )
        assert page_size["schema"] | {"minimum": 1, "maximum": 500} == page_size["schema"]
        assert list(paths["/api/events/"]["post"]["requestBody"]["content"]) == ["application/json"]
        docs = client.get(reverse("api:docs")).content.decode()
        assert "swagger-ui" in docs
        assert "cdn" not in docs.lower()


@pytest.mark.parametrize("name", ["event", "metric", "organisation", "source"])
def test_list_query_count_is_constant_whatever_the_page_size(
    client, django_assert_max_num_queries, name
):
    def fill(count):
        for _ in range(count):
            event = EventFactory(published=True)
            event.organisations.add(OrganisationFactory())
            MetricFactory(event=event, source=event.provenances.get().source)

    fill(2)
    url = reverse(f"api:{name}-list")
    with django_assert_max_num_queries(15) as captured:
        client.get(url, {"page_size": 2})
    fill(12)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert client.get(url, {"page_size": 500}).status_code == 200


class TestFormats:
    def test_csv_has_every_filtered_event_not_one_page(self, client):
        for _ in range(3):
            EventFactory(published=True)
        EventFactory()
        response = client.get(reverse("api:event-list"), {"format": "csv", "page_size": 1})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"] == 'attachment; filename="events.csv"'
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert len(lines) == 1 + 3

    def test_icalendar_gives_all_day_events_ranges_multi_day(self, client):
        EventFactory(published=True)  # 2022-04-27 to 29
        response = client.get(reverse("api:event-list"), {"format": "ics"})
        body = response.content.decode()
        assert response["Content-Type"].startswith("text/calendar")
        assert "DTSTART;VALUE=DATE:20220427" in body
        assert "DTEND;VALUE=DATE:20220430" in body

    def test_timeline_json_respects_filters_and_precision(self, client):
        EventFactory(
            published=True, date_start=day("2022-07-01"), date_end=None, date_precision="month"
        )
        EventFactory(published=True, date_start=day("2019-03-01"), date_end=None)
        EventFactory(date_start=day("2022-08-01"), date_end=None)
        timeline = client.get(reverse("api:timeline"), {"year": 2022}).json()
        (slide,) = timeline["events"]
        assert slide["start_date"]["year"] == "2022"
        assert slide["start_date"]["month"] == "7"
        assert "day" not in slide["start_date"]

    def test_a_bad_filter_on_a_calendar_answers_json_400(self, client):
        response = client.get(reverse("api:event-list"), {"format": "ics", "year": "abc"})
        assert response.status_code == 400
        assert "year" in response.json()


def test_anonymous_clients_are_throttled(client, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [client.get(reverse("api:event-list")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    cache.clear()


def test_a_token_made_by_the_command_authenticates(client):
    from io import StringIO

    from django.core.management import call_command

    user = get_user_model().objects.create_user(username="consumer")
    user.groups.add(Group.objects.get(name=roles.READER))
    out = StringIO()
    call_command("drf_create_token", "consumer", stdout=out)
    key = out.getvalue().split()[2]
    draft = EventFactory()
    response = client.get(
        reverse("api:event-list"), {"status": "draft"}, HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert ids(response) == [draft.pk]
