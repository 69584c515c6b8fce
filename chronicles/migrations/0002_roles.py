"""Give the editorial roles their chronicle permissions (see events/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from events.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("chronicles", "0001_initial"),
        ("events", "0004_editorial_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
