from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from events import demo
from events.models import Category, Event, Metric, Organisation, OrganisationAlias, Provenance
from sources.manifest import read_manifest
from sources.models import Source

pytestmark = pytest.mark.django_db


def setup_demo(*args) -> str:
    out = StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = (Category, Organisation, OrganisationAlias, Source, Event, Provenance, Metric)
    return {model.__name__: model.objects.count() for model in models}


def test_loads_taxonomy_the_seeds_through_the_loader_and_an_editor():
    output = setup_demo()
    assert Source.objects.count() == len(read_manifest(demo_manifest()))
    assert Category.objects.filter(slug="foreign-exchange").exists()
    assert Organisation.objects.named("全总").get().slug == "acftu"
    assert Event.objects.drafts().exists()
    assert "password “unionarchive-demo”" in output
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff
    assert not editor.is_superuser
    assert editor.has_perm("events.change_event")
    assert editor.check_password(demo.DEMO_EDITOR_PASSWORD)


def demo_manifest():
    from events.management.commands.load_sources import SEEDS_DIR

    return SEEDS_DIR / "manifest.json"


def test_the_demo_publishes_only_confident_dated_happened_drafts():
    setup_demo()
    published = Event.objects.published()
    assert published.exists()
    for event in published:
        assert event.confidence >= demo.DEMO_PUBLISH_CONFIDENCE
        assert event.kind == "happened"
        assert event.date_start is not None
        assert event.published_at is not None


def test_running_twice_adds_nothing():
    setup_demo()
    before = row_counts()
    published = set(Event.objects.published().values_list("pk", flat=True))
    output = setup_demo()
    assert row_counts() == before
    assert set(Event.objects.published().values_list("pk", flat=True)) == published
    assert "seed documents: 0 new, 0 updated, 4 unchanged" in output
    assert "already exists" in output


def test_a_rerun_keeps_what_editors_changed():
    setup_demo()
    Category.objects.filter(slug="meetings").update(name="会议活动")
    Organisation.objects.filter(slug="acftu").update(level="other")
    OrganisationAlias.objects.filter(name="全总").delete()
    unpublished = Event.objects.published().first()
    Event.objects.filter(pk=unpublished.pk).update(status="draft")
    user = get_user_model().objects.get(username="editor")
    user.set_password("changed-by-the-developer")
    user.save()
    setup_demo()
    assert Category.objects.get(slug="meetings").name == "会议活动"
    assert Organisation.objects.get(slug="acftu").level == "other"
    assert not OrganisationAlias.objects.filter(name="全总").exists()
    assert Event.objects.get(pk=unpublished.pk).status == "draft"
    user.refresh_from_db()
    assert user.check_password("changed-by-the-developer")


def test_dry_run_saves_nothing():
    output = setup_demo("--dry-run")
    assert "Dry run" in output
    assert set(row_counts().values()) == {0}
    assert not get_user_model().objects.exists()


def test_no_editor_option_creates_no_account():
    setup_demo("--no-editor")
    assert not get_user_model().objects.exists()
