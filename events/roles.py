"""The editorial roles and what each may do, the same in the admin and the API.

Groups are made by a migration and kept in step by ``roles_sync``, which every migration
that adds models calls again, so a new model's permissions reach the roles with it.
"""

from django.apps import apps as global_apps

READER = "只读"
EDITOR = "编辑"
CHIEF_EDITOR = "主编"

_ARCHIVE_APPS = ("events", "sources", "chronicles")
# Models editors work on; the rest of the archive they may only look at.
_EDITED_MODELS = (
    "event",
    "metric",
    "provenance",
    "organisation",
    "organisationalias",
    "tag",
    "source",
    "chronicle",
    "chronicleentry",
)
# Custom permissions that only the chief editor holds.
CHIEF_ONLY = ("publish_event", "merge_event", "publish_chronicle")


def role_permissions(available: list[tuple[str, str, str]]) -> dict[str, set[tuple[str, str]]]:
    """Which (app_label, codename) each role has, from the permissions that exist.

    ``available`` is (app_label, model, codename) for every permission of the archive:
    只读 views everything; 编辑 also adds and changes drafts and what they rest on; 主编
    may do all of it, delete, and hold the decisions (publish, reject, merge, split).
    """
    roles: dict[str, set[tuple[str, str]]] = {READER: set(), EDITOR: set(), CHIEF_EDITOR: set()}
    for app_label, model, codename in available:
        key = (app_label, codename)
        action = codename.split("_", 1)[0]
        if model.startswith("historical") and action != "view":
            continue  # history is kept, never written by hand
        roles[CHIEF_EDITOR].add(key)
        if action == "view":
            roles[READER].add(key)
            roles[EDITOR].add(key)
        elif action in ("add", "change") and model in _EDITED_MODELS:
            roles[EDITOR].add(key)
    return roles


def roles_sync(apps=global_apps) -> None:
    """Create the three groups and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if app_config.label in _ARCHIVE_APPS:
            # Permissions are otherwise made after all migrations; the roles need them now.
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = permission_model.objects.filter(
        content_type__app_label__in=_ARCHIVE_APPS
    ).select_related("content_type")
    by_key = {(p.content_type.app_label, p.codename): p for p in permissions}
    available = [(p.content_type.app_label, p.content_type.model, p.codename) for p in permissions]
    for name, keys in role_permissions(available).items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set([by_key[key] for key in keys])
