"""The three editorial roles as groups: 只读, 编辑, 主编 (see events/roles.py)."""

from django.db import migrations


def make_roles(apps, schema_editor):
    from events.roles import roles_sync

    roles_sync(apps)


def remove_roles(apps, schema_editor):
    from events.roles import CHIEF_EDITOR, EDITOR, READER

    apps.get_model("auth", "Group").objects.filter(name__in=[READER, EDITOR, CHIEF_EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_editorial_desk"),
        ("sources", "0002_versions_and_reports"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_roles, remove_roles)]
