"""Who may do what, on every URL: anonymous, 只读, 编辑 and 主编, reading and writing.

One table (``ROWS``) holds a row per URL pattern of the resolver, keyed by its route; a test
fails when a pattern has no row, so a new URL must say who may use it. Each row gives the
expected answer per role to a read and, where the URL writes, to a write, with the change
the write must (or must not) have made in the database. The second half proves that drafts
never reach anonymous readers, whichever page, export, feed or API they come through.
"""

import dataclasses
import datetime
import json
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token, TokenProxy

from chronicles import services as chronicle_services
from chronicles.models import Chronicle, ChronicleEdition
from events import roles, services
from events.models import (
    Category,
    Event,
    EventMerge,
    EventStatus,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
    Tag,
)
from events.search import search_index_update
from sources.models import Source
from tests.chronicles.factories import ChronicleEntryFactory
from tests.factories import (
    CategoryFactory,
    EventFactory,
    MetricFactory,
    OrganisationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, roles.READER, roles.EDITOR, roles.CHIEF_EDITOR)
LOGIN = "login"  # a redirect to the admin's login page
REDIRECT = "redirect"  # any other redirect
DRAFT_MARK = "DRAFTLEAK"  # in every text of the draft and of what only it reaches


def answer(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith("/admin/login/") else REDIRECT
    return response.status_code


@dataclasses.dataclass
class World:
    """One of everything the URLs name, a published side and a draft side."""

    users: dict
    published: Event
    draft: Event
    spare_draft: Event
    merged: Event
    merge: EventMerge
    category: Category
    tag: Tag
    organisation: Organisation
    draft_organisation: Organisation
    alias: OrganisationAlias
    source: Source
    draft_source: Source
    metric: Metric
    draft_metric: Metric
    chronicle: Chronicle
    edition: ChronicleEdition
    token: Token
    before: datetime.datetime
    provenance: Provenance
    lone_source: Source
    spare_category: Category
    spare_chronicle: Chronicle
    lockouts: dict  # django-axes' records of logins: model → one record

    def first(self, model):
        return {
            Event: self.published,
            Category: self.category,
            Tag: self.tag,
            Organisation: self.organisation,
            OrganisationAlias: self.alias,
            Source: self.source,
            Metric: self.metric,
            Provenance: self.provenance,
            EventMerge: self.merge,
            Chronicle: self.chronicle,
            ChronicleEdition: self.edition,
            Group: Group.objects.get(name=roles.READER),
            get_user_model(): self.users[roles.READER],
            TokenProxy: TokenProxy.objects.get(pk=self.token.pk),
            **self.lockouts,
        }[model]

    def deletable(self, model):
        """What a delete can remove: nothing protects it (a chronicle entry, an edition)."""
        return {
            Event: self.spare_draft,
            Source: self.lone_source,
            Category: self.spare_category,
            Chronicle: self.spare_chronicle,
        }.get(model) or self.first(model)

    def key_of(self, model):
        """The primary key itself (a token proxy's ``pk`` is its user's id, for URLs)."""
        obj = self.first(model)
        return obj._meta.pk.value_from_object(obj)


def make_world() -> World:
    before = timezone.now() - datetime.timedelta(minutes=1)
    users = {}
    for role in ROLES[1:]:
        # No password: the tests log in with force_login, and hashing one is slow.
        user = get_user_model().objects.create_user(
            username=f"matrix-{role}", password=None, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    category = CategoryFactory(slug="meetings", name="会议")
    organisation = OrganisationFactory(name="中华全国总工会", slug="acftu")
    alias = OrganisationAlias.objects.create(name="全总", organisation=organisation)
    source = SourceFactory(title="公开文献")
    published = EventFactory(published=True, title="公开事件", category=category, provenance=source)
    published.organisations.add(organisation)
    metric = MetricFactory(event=published, source=source)
    tag = Tag.objects.create(name="工匠")
    published.tags.add(tag)

    # The draft side: a draft that shares the published source and organisation, and
    # reaches a source, an organisation and a metric that nothing published reaches.
    draft_source = SourceFactory(title=f"{DRAFT_MARK}文献")
    draft = EventFactory(
        title=f"{DRAFT_MARK}草稿事件",
        summary=f"{DRAFT_MARK}摘要",
        category=category,
        place=f"{DRAFT_MARK}地点",
        provenance=draft_source,
    )
    span = source.text.index("第十一届")
    Provenance.objects.create(
        event=draft,
        source=source,
        excerpt=source.text[span : span + 10],
        start=span,
        end=span + 10,
    )
    draft_organisation = OrganisationFactory(name=f"{DRAFT_MARK}工会", slug="draft-only")
    draft.organisations.add(organisation, draft_organisation)
    draft_metric = MetricFactory(event=draft, source=draft_source, label=f"{DRAFT_MARK}指标")
    draft.tags.add(Tag.objects.create(name=f"{DRAFT_MARK}标签"))
    spare_draft = EventFactory(title="另一草稿", provenance=draft_source)

    kept = EventFactory(published=True, title="合并目标", provenance=source)
    merged = EventFactory(published=True, title="被合并事件", provenance=SourceFactory())
    (merge,) = services.event_merge(target=kept, others=[merged], by=users[roles.CHIEF_EDITOR])
    search_index_update(events=list(Event.objects.all()))

    chronicle = Chronicle.objects.create(year=2022, title="2022年工会工作大事记")
    ChronicleEntryFactory(chronicle=chronicle, event=published)
    edition = chronicle_services.chronicle_publish(
        chronicle=chronicle, by=users[roles.CHIEF_EDITOR]
    )
    token = Token.objects.create(user=users[roles.READER])
    return World(
        users=users,
        published=published,
        draft=draft,
        spare_draft=spare_draft,
        merged=merged,
        merge=merge,
        category=category,
        tag=tag,
        organisation=organisation,
        draft_organisation=draft_organisation,
        alias=alias,
        source=source,
        draft_source=draft_source,
        metric=metric,
        draft_metric=draft_metric,
        chronicle=chronicle,
        edition=edition,
        token=token,
        before=before,
        provenance=published.provenances.get(),
        lone_source=SourceFactory(),
        spare_category=CategoryFactory(),
        spare_chronicle=Chronicle.objects.create(year=2023, title="2023年大事记"),
        lockouts=login_records(),
    )


def login_records() -> dict:
    """One record of each kind django-axes keeps of admin logins."""
    seen = {
        "user_agent": "matrix",
        "ip_address": "127.0.0.9",
        "username": "someone",
        "http_accept": "text/html",
        "path_info": "/admin/login/",
    }
    return {
        AccessAttempt: AccessAttempt.objects.create(
            **seen, get_data="", post_data="", failures_since_start=5
        ),
        AccessLog: AccessLog.objects.create(**seen),
        AccessFailureLog: AccessFailureLog.objects.create(**seen, locked_out=True),
    }


@pytest.fixture
def world() -> World:
    return make_world()


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


# --- the table ------------------------------------------------------------------------

Expected = tuple  # one answer per role, in the order of ROLES


@dataclasses.dataclass
class Write:
    method: str
    data: Callable[[World], dict]
    expected: Expected
    # What the write would change, read before and after the request.
    state: Callable[[World], object]
    json: bool = False


@dataclasses.dataclass
class Row:
    route: str
    url: Callable[[World], str]
    read: Expected
    write: Write | None = None


def everyone(answer_) -> Expected:
    return (answer_,) * 4


STAFF_ONLY = (LOGIN, 200, 200, 200)  # any member of a role, nobody else
NO_ROLE = (LOGIN, 403, 403, 403)  # the admin's own users and groups: superusers only
EDITORS = (LOGIN, 403, 200, 200)
CHIEF = (LOGIN, 403, 403, 200)
DENIED_TO_ALL = (LOGIN, 403, 403, 403)


def admin_url(name: str, *args) -> Callable[[World], str]:
    return lambda world: reverse(f"admin:{name}", args=[a(world) for a in args])


def pk_of(model) -> Callable[[World], int]:
    return lambda world: world.first(model).pk


def deletable_pk(model) -> Callable[[World], int]:
    return lambda world: world.deletable(model).pk


def present(model) -> Callable[[World], bool]:
    def exists(world: World) -> bool:
        target = world.deletable(model)
        return model.objects.filter(pk=target._meta.pk.value_from_object(target)).exists()

    return exists


# Who may use each model in the admin: (view, add, delete) as expected answers to its list,
# change and history pages (view), its add page and its delete page. Written out here, not
# read from events/roles.py, so that a change of the roles shows up as a failing cell.
ADMIN_MODELS = {
    Group: ("auth", "group", NO_ROLE, NO_ROLE, NO_ROLE),
    get_user_model(): ("auth", "user", NO_ROLE, NO_ROLE, NO_ROLE),
    TokenProxy: ("authtoken", "tokenproxy", NO_ROLE, NO_ROLE, NO_ROLE),
    # Login records and lockouts (django-axes): superusers only, like users and groups.
    AccessAttempt: ("axes", "accessattempt", NO_ROLE, NO_ROLE, NO_ROLE),
    AccessLog: ("axes", "accesslog", NO_ROLE, NO_ROLE, NO_ROLE),
    AccessFailureLog: ("axes", "accessfailurelog", NO_ROLE, NO_ROLE, NO_ROLE),
    Source: ("sources", "source", STAFF_ONLY, EDITORS, CHIEF),
    Category: ("events", "category", STAFF_ONLY, CHIEF, CHIEF),
    Tag: ("events", "tag", STAFF_ONLY, EDITORS, CHIEF),
    Organisation: ("events", "organisation", STAFF_ONLY, EDITORS, CHIEF),
    OrganisationAlias: ("events", "organisationalias", STAFF_ONLY, EDITORS, CHIEF),
    Event: ("events", "event", STAFF_ONLY, EDITORS, CHIEF),
    # Merge records are undone by the undo action, never added, edited or deleted by hand
    # (deleting one would leave its event merged with no way back).
    EventMerge: ("events", "eventmerge", STAFF_ONLY, DENIED_TO_ALL, DENIED_TO_ALL),
    Provenance: ("events", "provenance", STAFF_ONLY, EDITORS, CHIEF),
    Metric: ("events", "metric", STAFF_ONLY, EDITORS, CHIEF),
    Chronicle: ("chronicles", "chronicle", STAFF_ONLY, EDITORS, CHIEF),
    # An edition is cited: nobody adds, changes or deletes one.
    ChronicleEdition: (
        "chronicles",
        "chronicleedition",
        STAFF_ONLY,
        DENIED_TO_ALL,
        DENIED_TO_ALL,
    ),
}


def allowed(expected: Expected) -> tuple[bool, ...]:
    return tuple(cell in (200, 201, 204, REDIRECT) for cell in expected)


def deleted_or_refused(delete: Expected) -> Expected:
    """A confirmed delete (or a saved form) redirects those who may; the others get the
    page's refusal."""
    return tuple(REDIRECT if ok else cell for ok, cell in zip(allowed(delete), delete, strict=True))


# Forms simple enough to send whole: (data to add, data to change, who may change).
ADMIN_FORMS = {
    Tag: ({"name": "新标签"}, {"name": "工匠（改）"}, EDITORS),
    Category: (
        {"slug": "new-category", "name": "新类别", "description": "", "position": 0},
        {"slug": "meetings", "name": "会议（改）", "description": "", "position": 0},
        CHIEF,
    ),
}


def name_of(model) -> Callable[[World], str]:
    return lambda world: model.objects.get(pk=world.first(model).pk).name


def count_of(model) -> Callable[[World], int]:
    return lambda world: model.objects.count()


def form_writes(model, add: Expected) -> tuple[Write | None, Write | None]:
    if model not in ADMIN_FORMS:
        return None, None
    add_data, change_data, change = ADMIN_FORMS[model]
    return (
        Write("post", lambda world: add_data, deleted_or_refused(add), count_of(model)),
        Write("post", lambda world: change_data, deleted_or_refused(change), name_of(model)),
    )


def admin_rows() -> list[Row]:
    rows = []
    for model, (app, name, view, add, delete) in ADMIN_MODELS.items():
        prefix = f"admin/{app}/{name}/"
        obj = pk_of(model)
        add_write, change_write = form_writes(model, add)
        rows += [
            Row(prefix, admin_url(f"{app}_{name}_changelist"), view),
            Row(f"{prefix}add/", admin_url(f"{app}_{name}_add"), add, add_write),
            # Reading a record needs view (or change) permission; its page is read-only
            # for those who may not change it.
            Row(
                f"{prefix}<path:object_id>/change/",
                admin_url(f"{app}_{name}_change", obj),
                view,
                change_write,
            ),
            Row(
                f"{prefix}<path:object_id>/history/", admin_url(f"{app}_{name}_history", obj), view
            ),
            Row(
                f"{prefix}<path:object_id>/delete/",
                admin_url(f"{app}_{name}_delete", deletable_pk(model)),
                delete,
                Write(
                    "post",
                    lambda world: {"post": "yes"},
                    deleted_or_refused(delete),
                    present(model),
                ),
            ),
            # The bare id redirects to the change page, for members of the desk only.
            Row(
                f"{prefix}<path:object_id>/",
                lambda world, app=app, name=name, obj=obj: f"/admin/{app}/{name}/{obj(world)}/",
                (LOGIN, REDIRECT, REDIRECT, REDIRECT),
            ),
        ]
    return rows


def history_id(model) -> Callable[[World], int]:
    return lambda world: world.first(model).history.latest().history_id


def draft_status(world: World) -> str:
    return Event.objects.get(pk=world.draft.pk).status


NEW_EVENT_TITLE = "经由接口新增的事件"


def new_event(world: World) -> dict:
    return {
        "title": NEW_EVENT_TITLE,
        "date_start": "2022-07-01",
        "date_precision": "month",
        "kind": "happened",
        "sources": [{"id": world.source.pk, "start": 0, "end": 10}],
    }


API_WRITER = (401, 403, 201, 201)
API_EDIT = (401, 403, 200, 200)
API_DECIDE = (401, 403, 403, 200)
API_DELETE = (401, 403, 403, 204)
READ_ONLY_API = everyone(405)
NOT_A_PAGE_TO_WRITE = everyone(405)


def api_write(method, data, expected, state) -> Write:
    return Write(method, data, expected, state, json=True)


def no_write_from(model) -> Callable[[World], int]:
    return lambda world: model.objects.count()


ROWS: list[Row] = [
    *admin_rows(),
    # The admin's own pages.
    Row("admin/", admin_url("index"), STAFF_ONLY),
    Row("admin/login/", admin_url("login"), (200, REDIRECT, REDIRECT, REDIRECT)),
    Row("admin/logout/", admin_url("logout"), (REDIRECT, 405, 405, 405)),
    Row("admin/password_change/", admin_url("password_change"), STAFF_ONLY),
    Row("admin/password_change/done/", admin_url("password_change_done"), STAFF_ONLY),
    Row(
        "admin/autocomplete/",
        lambda world: (
            reverse("admin:autocomplete")
            + "?app_label=events&model_name=event&field_name=organisations"
        ),
        STAFF_ONLY,
    ),
    Row("admin/jsi18n/", admin_url("jsi18n"), STAFF_ONLY),
    Row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        lambda world: reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(Event).pk, world.published.pk],
        ),
        # Events have no get_absolute_url: "view on site" has nowhere to go.
        (LOGIN, 404, 404, 404),
    ),
    Row(
        "admin/^(?P<app_label>auth|authtoken|axes|sources|events|chronicles)/$",
        lambda world: "/admin/events/",
        STAFF_ONLY,
    ),
    Row("admin/(?P<url>.*)$", lambda world: "/admin/no-such-page/", (LOGIN, 404, 404, 404)),
    Row(
        "admin/auth/user/<id>/password/",
        admin_url("auth_user_password_change", pk_of(get_user_model())),
        NO_ROLE,
    ),
    # History of single records, with revert by those who may change the record.
    Row(
        "admin/events/event/^([^/]+)/history/([^/]+)/$",
        admin_url("events_event_simple_history", pk_of(Event), history_id(Event)),
        STAFF_ONLY,
    ),
    Row(
        "admin/events/organisation/^([^/]+)/history/([^/]+)/$",
        admin_url(
            "events_organisation_simple_history", pk_of(Organisation), history_id(Organisation)
        ),
        STAFF_ONLY,
    ),
    Row(
        "admin/events/metric/^([^/]+)/history/([^/]+)/$",
        admin_url("events_metric_simple_history", pk_of(Metric), history_id(Metric)),
        STAFF_ONLY,
    ),
    # The editorial desk's own views.
    Row(
        "admin/events/event/<int:pk>/review/<str:decision>/",
        lambda world: reverse("admin:events_event_review", args=[world.draft.pk, "publish"]),
        (LOGIN, 405, 405, 405),
        Write("post", lambda world: {}, (LOGIN, 403, 403, REDIRECT), draft_status),
    ),
    Row("admin/events/event/duplicates/", admin_url("events_event_duplicates"), STAFF_ONLY),
    Row(
        "admin/events/event/upload/",
        admin_url("events_event_upload"),
        EDITORS,
        Write("post", lambda world: {}, (LOGIN, 403, 200, 200), no_write_from(Source)),
    ),
    Row(
        "admin/chronicles/chronicle/<path:object_id>/populate/",
        admin_url("chronicles_chronicle_populate", pk_of(Chronicle)),
        (LOGIN, 403, REDIRECT, REDIRECT),
    ),
    Row(
        "admin/chronicles/chronicle/<path:object_id>/markdown/",
        lambda world: (
            reverse("admin:chronicles_chronicle_markdown", args=[world.chronicle.pk])
            + "?download=1"
        ),
        STAFF_ONLY,
    ),
    Row(
        "admin/chronicles/chronicle/<path:object_id>/docx/",
        admin_url("chronicles_chronicle_docx", pk_of(Chronicle)),
        STAFF_ONLY,
    ),
    Row(
        "admin/chronicles/chronicle/<path:object_id>/events/",
        admin_url("chronicles_chronicle_events", pk_of(Chronicle)),
        EDITORS,
    ),
    Row(
        "admin/chronicles/chronicle/<path:object_id>/publish/",
        admin_url("chronicles_chronicle_publish", pk_of(Chronicle)),
        CHIEF,
        Write(
            "post",
            lambda world: {},
            (LOGIN, 403, 403, REDIRECT),
            lambda world: world.chronicle.editions.count(),
        ),
    ),
    Row(
        "admin/chronicles/chronicleedition/<path:object_id>/download/<str:kind>/",
        lambda world: reverse(
            "admin:chronicles_chronicleedition_download", args=[world.edition.pk, "docx"]
        ),
        STAFF_ONLY,
    ),
    # The API: anyone reads; writes follow the roles.
    Row("api/", lambda world: "/api/", everyone(200)),
    Row("api/<drf_format_suffix:format>", lambda world: "/api/.json", everyone(200)),
    Row("api/schema/", lambda world: "/api/schema/", everyone(200)),
    Row("api/docs/", lambda world: "/api/docs/", everyone(200)),
    Row(
        "api/changes/",
        lambda world: f"/api/changes/?since={world.before.isoformat().replace('+', '%2B')}",
        everyone(200),
    ),
    Row("api/timeline/", lambda world: "/api/timeline/", everyone(200)),
    Row(
        "api/^events/$",
        lambda world: "/api/events/",
        everyone(200),
        api_write(
            "post",
            new_event,
            API_WRITER,
            lambda world: Event.objects.filter(title=NEW_EVENT_TITLE).exists(),
        ),
    ),
    Row("api/^events\\.(?P<format>[a-z0-9]+)/?$", lambda world: "/api/events.csv", everyone(200)),
    Row(
        "api/^events/(?P<pk>\\d+)/$",
        lambda world: f"/api/events/{world.draft.pk}/",
        (404, 200, 200, 200),
        api_write(
            "patch",
            lambda world: {"title": "接口改过的标题"},
            # An anonymous reader is told to authenticate before being told it is no draft.
            API_EDIT,
            lambda world: Event.objects.get(pk=world.draft.pk).title,
        ),
    ),
    Row(
        "api/^events/(?P<pk>\\d+)\\.(?P<format>[a-z0-9]+)/?$",
        lambda world: f"/api/events/{world.spare_draft.pk}.json",
        (404, 200, 200, 200),
        api_write(
            "delete",
            lambda world: {},
            API_DELETE,
            lambda world: Event.objects.filter(pk=world.spare_draft.pk).exists(),
        ),
    ),
    Row(
        "api/^events/(?P<pk>\\d+)/publish/$",
        lambda world: f"/api/events/{world.draft.pk}/publish/",
        everyone(405),
        api_write("post", lambda world: {}, API_DECIDE, draft_status),
    ),
    Row(
        "api/^events/(?P<pk>\\d+)/publish\\.(?P<format>[a-z0-9]+)/?$",
        lambda world: f"/api/events/{world.draft.pk}/publish.json",
        everyone(405),
    ),
    Row(
        "api/^events/(?P<pk>\\d+)/reject/$",
        lambda world: f"/api/events/{world.draft.pk}/reject/",
        everyone(405),
        api_write("post", lambda world: {}, API_DECIDE, draft_status),
    ),
    Row(
        "api/^events/(?P<pk>\\d+)/reject\\.(?P<format>[a-z0-9]+)/?$",
        lambda world: f"/api/events/{world.draft.pk}/reject.json",
        everyone(405),
    ),
    *[
        Row(route, url, read, api_write("post", lambda world: {}, READ_ONLY_API, state))
        for route, url, read, state in [
            ("api/^metrics/$", lambda world: "/api/metrics/", everyone(200), no_write_from(Metric)),
            (
                "api/^metrics\\.(?P<format>[a-z0-9]+)/?$",
                lambda world: "/api/metrics.json",
                everyone(200),
                no_write_from(Metric),
            ),
            (
                "api/^metrics/(?P<pk>\\d+)/$",
                lambda world: f"/api/metrics/{world.metric.pk}/",
                everyone(200),
                no_write_from(Metric),
            ),
            (
                "api/^metrics/(?P<pk>\\d+)\\.(?P<format>[a-z0-9]+)/?$",
                lambda world: f"/api/metrics/{world.metric.pk}.json",
                everyone(200),
                no_write_from(Metric),
            ),
            (
                "api/^organisations/$",
                lambda world: "/api/organisations/",
                everyone(200),
                no_write_from(Organisation),
            ),
            (
                "api/^organisations\\.(?P<format>[a-z0-9]+)/?$",
                lambda world: "/api/organisations.json",
                everyone(200),
                no_write_from(Organisation),
            ),
            (
                "api/^organisations/(?P<pk>\\d+)/$",
                lambda world: f"/api/organisations/{world.organisation.pk}/",
                everyone(200),
                no_write_from(Organisation),
            ),
            (
                "api/^organisations/(?P<pk>\\d+)\\.(?P<format>[a-z0-9]+)/?$",
                lambda world: f"/api/organisations/{world.organisation.pk}.json",
                everyone(200),
                no_write_from(Organisation),
            ),
            ("api/^sources/$", lambda world: "/api/sources/", everyone(200), no_write_from(Source)),
            (
                "api/^sources\\.(?P<format>[a-z0-9]+)/?$",
                lambda world: "/api/sources.json",
                everyone(200),
                no_write_from(Source),
            ),
            (
                "api/^sources/(?P<pk>\\d+)/$",
                lambda world: f"/api/sources/{world.source.pk}/",
                everyone(200),
                no_write_from(Source),
            ),
            (
                "api/^sources/(?P<pk>\\d+)\\.(?P<format>[a-z0-9]+)/?$",
                lambda world: f"/api/sources/{world.source.pk}.json",
                everyone(200),
                no_write_from(Source),
            ),
        ]
    ],
    # Public pages: anyone reads, nobody writes.
    Row("i18n/setlang/", lambda world: "/i18n/setlang/", everyone(REDIRECT)),
    Row("sitemap.xml", lambda world: "/sitemap.xml", everyone(200)),
    Row("robots.txt", lambda world: "/robots.txt", everyone(200)),
    Row("chronicle/", lambda world: "/chronicle/", everyone(200)),
    Row("chronicle/<int:year>/", lambda world: "/chronicle/2022/", everyone(200)),
    Row("", lambda world: "/", everyone(200)),
    Row("events/", lambda world: "/events/", everyone(200)),
    Row("events/timeline/", lambda world: "/events/timeline/", everyone(200)),
    Row("events/<int:pk>/", lambda world: f"/events/{world.published.pk}/", everyone(200)),
    Row("events/feed/", lambda world: "/events/feed/", everyone(200)),
    Row(
        "organisations/<str:slug>/",
        lambda world: f"/organisations/{world.organisation.slug}/",
        everyone(200),
    ),
    Row("sources/<int:pk>/", lambda world: f"/sources/{world.source.pk}/", everyone(200)),
]


def resolver_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes += resolver_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def test_every_url_pattern_has_exactly_one_row():
    routes = resolver_routes()
    table = [row.route for row in ROWS]
    assert sorted(set(routes) - set(table)) == [], "URL patterns without a row in ROWS"
    assert sorted(set(table) - set(routes)) == [], "rows for URL patterns that do not exist"
    assert len(table) == len(set(table)), "a URL pattern with two rows"


def row_id(row: Row) -> str:
    return row.route or "/"


def section(row: Row) -> str:
    return row.route.split("/", 1)[0] if "/" in row.route else "pages"


SECTIONS = sorted({section(row) for row in ROWS})


@pytest.mark.parametrize("name", SECTIONS)
def test_who_may_read(world, name):
    """Every row of a section read by every role, all mismatches reported together."""
    clients = {role: client_for(world, role) for role in ROLES}
    mismatches = []
    for row in (row for row in ROWS if section(row) == name):
        url = row.url(world)
        answers = tuple(answer(clients[role].get(url)) for role in ROLES)
        if answers != row.read:
            mismatches.append(f"GET {url} ({row.route}): {answers}, expected {row.read}")
    assert mismatches == []


@pytest.mark.parametrize("row", [row for row in ROWS if row.write], ids=row_id)
def test_who_may_write_and_what_it_changes(world, row):
    """Each role writes on the same world, each in a savepoint rolled back after it."""
    write = row.write
    mismatches = []
    for index, role in enumerate(ROLES):
        with transaction.atomic():
            before = write.state(world)
            url, data = row.url(world), write.data(world)
            client = client_for(world, role)
            if write.json:
                response = getattr(client, write.method)(
                    url, json.dumps(data), content_type="application/json"
                )
            else:
                response = getattr(client, write.method)(url, data)
            may_write = allowed(write.expected)[index]
            # A form sent back with errors (200 in the admin) writes nothing either.
            if write.expected[index] == 200 and not write.json:
                may_write = False
            got = (answer(response), write.state(world) != before)
            if got != (write.expected[index], may_write):
                mismatches.append(f"{role}: {got}, expected {(write.expected[index], may_write)}")
            transaction.set_rollback(True)
    assert mismatches == [], f"{write.method.upper()} {row.route}"


@pytest.mark.parametrize(
    "url",
    ["/", "/events/", "/events/timeline/", "/chronicle/", "/sitemap.xml", "/events/feed/"],
)
def test_public_pages_refuse_writes_from_everyone(world, url):
    for role in ROLES:
        assert client_for(world, role).post(url, {"title": "x"}).status_code == 405, role


# --- drafts never leak ----------------------------------------------------------------

PUBLIC_READS = [
    "/",
    "/events/",
    # (The mark itself is no query: the page rightly shows the words searched for.)
    "/events/?q=草稿事件",
    "/events/?q=地点",
    "/events/?year=2022",
    "/events/?category=meetings",
    "/events/?organisation=acftu",
    "/events/timeline/",
    "/events/feed/",
    "/sitemap.xml",
    "/chronicle/",
    "/chronicle/2022/",
    "/organisations/acftu/",
    "/api/events/",
    "/api/events/?q=草稿事件",
    "/api/events/?format=csv",
    "/api/events/?format=ics",
    "/api/events/?organisation=acftu&format=csv",
    "/api/timeline/",
    "/api/timeline/?q=草稿事件",
    "/api/metrics/",
    "/api/organisations/",
    "/api/organisations/?q=工会",
    "/api/sources/",
]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_no_text_of_a_draft_reaches_anonymous_readers(world, url):
    response = Client().get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert DRAFT_MARK.encode() not in body
    assert world.draft.title.encode() not in body
    assert f"/events/{world.draft.pk}/".encode() not in body


def draft_side_urls(world: World) -> list[str]:
    return [
        f"/events/{world.draft.pk}/",
        f"/sources/{world.draft_source.pk}/",
        f"/organisations/{world.draft_organisation.slug}/",
        f"/api/events/{world.draft.pk}/",
        f"/api/events/{world.draft.pk}/?format=csv",
        f"/api/events/{world.draft.pk}/?format=ics",
        f"/api/metrics/{world.draft_metric.pk}/",
        f"/api/organisations/{world.draft_organisation.pk}/",
        f"/api/sources/{world.draft_source.pk}/",
    ]


def test_a_draft_and_what_only_it_reaches_are_not_found(world):
    for url in draft_side_urls(world):
        assert Client().get(url).status_code == 404, url


def test_editorial_roles_do_reach_the_draft_side_through_the_api(world):
    """The counterpart of the test above: the 404s are visibility, not broken URLs."""
    for role in ROLES[1:]:
        client = client_for(world, role)
        for url in draft_side_urls(world)[3:]:
            assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("url", ["/api/events/?status=draft", "/api/metrics/?status=all"])
def test_anonymous_readers_may_not_ask_for_drafts(world, url):
    assert Client().get(url).status_code == 403


def test_counts_leave_drafts_out(world):
    client = Client()
    (organisation,) = [
        item
        for item in client.get("/api/organisations/").json()["results"]
        if item["slug"] == "acftu"
    ]
    assert organisation["event_count"] == 1  # the published event, not the draft
    # The published event, the merge target: never the draft, nor the merged record.
    assert client.get("/api/events/").json()["count"] == 2
    assert client.get("/api/events/", {"category": "meetings"}).json()["count"] == 1
    metrics = client.get("/api/metrics/").json()
    assert [item["id"] for item in metrics["results"]] == [world.metric.pk]


def test_a_shared_source_marks_only_published_spans(world):
    page = Client().get(f"/sources/{world.source.pk}/")
    segments = page.context["segments"]
    marked = {segment["event"].pk for segment in segments if segment["event"]}
    anchors = {anchor for segment in segments for anchor in segment["anchors"]}
    draft_span = world.draft.provenances.get(source=world.source)
    assert world.draft.pk not in marked
    assert draft_span.pk not in anchors
    assert world.published.pk in marked
    assert page.context["event_count"] == 2
    assert f"/events/{world.draft.pk}/".encode() not in page.content


def test_the_organisation_page_lists_published_events_only(world):
    page = Client().get(f"/organisations/{world.organisation.slug}/")
    assert sorted(event.pk for event in page.context["events"]) == sorted(
        Event.objects.published()
        .filter(organisations=world.organisation)
        .values_list("pk", flat=True)
    )
    assert world.draft.pk not in [event.pk for event in page.context["events"]]


def test_changes_never_name_an_event_that_was_never_public(world):
    draft_pk = world.draft.pk
    world.draft.delete()
    world.spare_draft.status = EventStatus.REJECTED
    world.spare_draft.save()
    changes = Client().get("/api/changes/", {"since": world.before.isoformat()}).json()
    named = {change["id"] for change in changes}
    assert draft_pk not in named
    assert world.spare_draft.pk not in named
    assert world.merged.pk in named  # a public event merged away is named, with its target
