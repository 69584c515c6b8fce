"""The settings module reads its environment; each case imports it in a fresh interpreter."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR)
STRONG_KEY = "k" * 20 + "7Hs!2pQ#9zL@4vN$8wR%1xT^6yU&3bM*" + "q" * 20

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "TIME_ZONE": settings.TIME_ZONE,
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "LANGUAGES": [code for code, _ in settings.LANGUAGES],
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": str(settings.DATABASES["default"]["NAME"]),
    "HOST": settings.DATABASES["default"].get("HOST", ""),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "AXES_FAILURE_LIMIT": settings.AXES_FAILURE_LIMIT,
    "AXES_COOLOFF_SECONDS": settings.AXES_COOLOFF_TIME.total_seconds(),
    "AXES_LOCKOUT_PARAMETERS": settings.AXES_LOCKOUT_PARAMETERS,
    "CSP_REPORT_URI": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"],
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "STATIC_PLAIN", "TIME_ZONE"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="unionarchive.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**env: str) -> dict:
    result = run_python(PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_secret_key_and_debug_off_the_app_refuses_to_start():
    result = run_python(PRINT_SETTINGS)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_turned_on():
    assert load_settings(SECRET_KEY=STRONG_KEY)["DEBUG"] is False
    assert load_settings(DEBUG="1")["DEBUG"] is True


def test_debug_runs_without_a_secret_key():
    assert load_settings(DEBUG="true")["DEBUG"] is True


def test_an_unreadable_boolean_is_named_in_the_error():
    result = run_python(PRINT_SETTINGS, DEBUG="maybe", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_defaults_are_sqlite_in_the_project_shanghai_time_and_chinese():
    values = load_settings(SECRET_KEY=STRONG_KEY)
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(PROJECT_DIR / "db.sqlite3")
    assert values["TIME_ZONE"] == "Asia/Shanghai"
    assert values["LANGUAGE_CODE"] == "zh-hans"
    assert values["LANGUAGES"] == ["zh-hans", "en"]
    assert values["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]


def test_database_url_selects_postgresql():
    values = load_settings(
        SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://archive@db.example:5432/unionarchive"
    )
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert (values["HOST"], values["NAME"]) == ("db.example", "unionarchive")


def test_a_bad_database_url_is_named_in_the_error():
    result = run_python(PRINT_SETTINGS, SECRET_KEY=STRONG_KEY, DATABASE_URL="nosuchdb://x/y")
    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL" in result.stderr


def test_allowed_hosts_is_a_comma_separated_list():
    values = load_settings(SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="archive.example.org, .example.org")
    assert values["ALLOWED_HOSTS"] == ["archive.example.org", ".example.org"]


def test_production_marks_cookies_secure_and_hashes_static_files():
    values = load_settings(SECRET_KEY=STRONG_KEY)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_check_deploy_leaves_only_what_the_https_proxy_covers(tmp_path):
    """Under production variables only HSTS (W004) and the HTTPS redirect (W008) remain."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "ALLOWED_HOSTS": "archive.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    reported = set(re.findall(r"\((\w+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert reported == {"security.W004", "security.W008"}, result.stdout + result.stderr


def test_login_throttling_defaults_to_five_failures_and_fifteen_minutes():
    values = load_settings(SECRET_KEY=STRONG_KEY)
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["AXES_COOLOFF_SECONDS"] == 15 * 60
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


def test_login_throttling_is_set_from_the_environment():
    values = load_settings(
        SECRET_KEY=STRONG_KEY,
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        AXES_LOCKOUT_PARAMETERS="ip_address, username+ip_address",
    )
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_SECONDS"] == 3600
    assert values["AXES_LOCKOUT_PARAMETERS"] == ["ip_address", ["username", "ip_address"]]


def test_bad_login_throttling_values_are_named_in_the_error():
    for name, value, message in [
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT=0 must be 1 or more"),
        ("AXES_COOLOFF_MINUTES", "soon", "AXES_COOLOFF_MINUTES='soon' is not a whole number"),
        ("AXES_LOCKOUT_PARAMETERS", "ip+username", "unknown parameter 'ip'"),
    ]:
        result = run_python(PRINT_SETTINGS, SECRET_KEY=STRONG_KEY, **{name: value})
        assert result.returncode != 0, name
        assert message in result.stderr, result.stderr


def test_csp_reports_go_where_csp_report_uri_says():
    assert load_settings(SECRET_KEY=STRONG_KEY)["CSP_REPORT_URI"] is None
    values = load_settings(SECRET_KEY=STRONG_KEY, CSP_REPORT_URI="https://reports.example.org/csp")
    assert values["CSP_REPORT_URI"] == ["https://reports.example.org/csp"]
