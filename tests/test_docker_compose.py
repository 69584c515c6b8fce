"""Docker does not run on our machines, so the compose file is checked by reading it."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def test_database_is_postgresql_16_on_a_named_volume(compose):
    db = compose["services"]["db"]
    assert db["image"] == "postgres:16"
    volume, mount = db["volumes"][0].split(":")
    assert mount == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]


def test_database_has_a_healthcheck_the_app_waits_for(compose):
    healthcheck = compose["services"]["db"]["healthcheck"]
    assert "pg_isready" in " ".join(healthcheck["test"])
    assert compose["services"]["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_builds_the_dockerfile_and_serves_gunicorn_after_migrating_and_loading(compose):
    web = compose["services"]["web"]
    assert web["build"] == "."
    assert (PROJECT_DIR / "Dockerfile").is_file()
    command = web["command"]
    migrate, load, serve = (
        command.index("manage.py migrate"),
        command.index("manage.py setup_demo"),
        command.index("gunicorn unionarchive.wsgi"),
    )
    assert migrate < load < serve
    assert "8000:8000" in web["ports"]


def test_web_environment_points_at_the_database_service_in_production_mode(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["DEBUG"] == "0"
    # No default secret: compose refuses to start without one.
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "ALLOWED_HOSTS" in environment


def test_static_files_are_collected_in_the_image_for_whitenoise():
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11" in dockerfile
    assert "pip install --no-cache-dir -r requirements/base.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_the_app_user_may_write_uploads_and_the_jieba_cache():
    """The container runs as an unprivileged user; the loader writes jieba's cache."""
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert "USER app" in dockerfile
    assert "chown -R app /app/media /app/.cache" in dockerfile
    assert settings.JIEBA_CACHE_DIR == PROJECT_DIR / ".cache" / "jieba"
