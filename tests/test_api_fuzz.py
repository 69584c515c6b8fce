"""The API against its own OpenAPI schema: schemathesis fuzzes every operation in-process.

Each operation gets a bounded, derandomised set of generated requests (valid and invalid),
anonymously, as a 编辑 and as a 主编 (token auth); every answer must be documented in the
schema (status code, content type, body) and none may be a 5xx.
"""

import csv
import io
import json

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from events import roles
from tests.factories import EventFactory, MetricFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# Small and derandomised: the same requests on every run, a few seconds per operation.
FUZZ = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    # The archive fixture is made once per operation and shared by its examples on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WRITES = ("POST", "PUT", "PATCH", "DELETE")

# Loaded once at collection from the app's own endpoint (making the schema reads no table).
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


@pytest.fixture(autouse=True)
def connection_kept_open():
    """As Django's test client does: the handler must not close the connection after each
    request, for the test's transaction lives on it (PostgreSQL would lose it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def archive(db):
    """Something to find: a published event with a metric and an organisation, and a draft."""
    published = EventFactory(published=True)
    published.organisations.add(OrganisationFactory())
    MetricFactory(event=published, source=published.provenances.get().source)
    EventFactory()


def token_headers(role: str) -> dict[str, str]:
    user = get_user_model().objects.create_user(username=f"fuzz-{role}", password=None)
    user.groups.add(Group.objects.get(name=role))
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@pytest.fixture
def editor(db):
    return token_headers(roles.EDITOR)


@pytest.fixture
def chief_editor(db):
    return token_headers(roles.CHIEF_EDITOR)


# Fields whose schema-valid values may still be refused, with a 400 naming them, for reasons
# OpenAPI cannot state: they name other records (a category slug, an organisation, source
# ids with spans inside that source's text), or hold a rule across fields (the end of a
# period not before its start; a precision exactly when there is a date).
REFERENCES_AND_CROSS_FIELD_RULES = {
    "category",
    "organisation",
    "organisations",
    "sources",
    "date_start",
    "date_end",
    "date_precision",
    "non_field_errors",
}


def named_fields(content: bytes) -> set[str]:
    """The fields a 400 names: a JSON error's keys, or the prefixes of a CSV error's rows
    (``?format=csv`` answers one as a column "error", a row "field: message" per message;
    a bare row is a "detail")."""
    try:
        return set(json.loads(content))
    except json.JSONDecodeError:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
        return {row[0].split(": ", 1)[0] if ": " in row[0] else "detail" for row in rows if row}


def positive_data_acceptance_but_references(ctx, response, case):
    """schemathesis' positive_data_acceptance, except a 400 that names only such fields."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400:
            named = named_fields(response.content)
            if named and named <= REFERENCES_AND_CROSS_FIELD_RULES:
                return None
        raise


CHECKS = {
    "excluded_checks": [positive_data_acceptance],
    "additional_checks": [positive_data_acceptance_but_references],
}


@schema.parametrize()
@FUZZ
def test_anonymous_answers_are_documented_and_never_server_errors(case):
    case.call_and_validate(**CHECKS)


@schema.parametrize()
@FUZZ
def test_editor_answers_are_documented_and_never_server_errors(case, editor):
    case.call_and_validate(headers=editor, **CHECKS)


@schema.include(method=list(WRITES)).parametrize()
@FUZZ
def test_chief_editor_writes_are_documented_and_never_server_errors(case, chief_editor):
    case.call_and_validate(headers=chief_editor, **CHECKS)
