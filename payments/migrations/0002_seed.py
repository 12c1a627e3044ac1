"""Seed the five payment methods and the risk rules with working defaults."""

from django.db import migrations

from payments.defaults import ensure_defaults


def seed(apps, schema_editor):
    ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
