import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from events import demo
from events.models import Category, Event, Metric, Organisation, OrganisationAlias, Provenance
from sources.models import Source

pytestmark = pytest.mark.django_db


def setup_demo(*args) -> str:
    out = StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = (Category, Organisation, OrganisationAlias, Source, Event, Provenance, Metric)
    return {model.__name__: model.objects.count() for model in models}


def test_loads_taxonomy_seed_sources_demo_events_and_an_editor():
    output = setup_demo()
    manifest = json.loads(demo.MANIFEST_PATH.read_text(encoding="utf-8"))["documents"]
    assert Source.objects.count() == len(manifest)
    assert Category.objects.filter(slug="foreign-exchange").exists()
    assert Organisation.objects.named("全总").get().slug == "acftu"
    assert Event.objects.published().exists()
    assert Event.objects.drafts().exists()
    assert "password “unionarchive-demo”" in output
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff
    assert not editor.is_superuser
    assert editor.has_perm("events.change_event")
    assert editor.check_password(demo.DEMO_EDITOR_PASSWORD)


def test_every_demo_event_quotes_its_source_exactly():
    setup_demo()
    for provenance in Provenance.objects.select_related("source"):
        assert provenance.source.text[provenance.start : provenance.end] == provenance.excerpt
    for metric in Metric.objects.select_related("source"):
        assert metric.source.text[metric.start : metric.end] == metric.text


def test_running_twice_adds_nothing():
    setup_demo()
    before = row_counts()
    output = setup_demo()
    assert row_counts() == before
    assert "sources: 0 new, 4 unchanged" in output
    assert "already exists" in output


def test_a_rerun_keeps_what_editors_changed():
    setup_demo()
    Category.objects.filter(slug="meetings").update(name="会议活动")
    Organisation.objects.filter(slug="acftu").update(level="other")
    OrganisationAlias.objects.filter(name="全总").delete()
    user = get_user_model().objects.get(username="editor")
    user.set_password("changed-by-the-developer")
    user.save()
    setup_demo()
    assert Category.objects.get(slug="meetings").name == "会议活动"
    assert Organisation.objects.get(slug="acftu").level == "other"
    assert not OrganisationAlias.objects.filter(name="全总").exists()
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


def test_a_broken_fixture_is_named_and_nothing_is_half_written(tmp_path, monkeypatch):
    broken = tmp_path / "demo_events.json"
    broken.write_text('[{"title": "x", "source": "nowhere.txt", "excerpt": "x"}]', encoding="utf-8")
    monkeypatch.setattr(demo, "DEMO_EVENTS_PATH", broken)
    with pytest.raises(CommandError, match=r"demo_events\.json item 0: source file “nowhere\.txt”"):
        setup_demo()
    assert set(row_counts().values()) == {0}
