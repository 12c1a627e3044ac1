import django.db.models.functions.text
from django.db import migrations, models


def analyze(apps, schema_editor):
    """PostgreSQL keeps no statistics of an index's expression until the table is next analyzed (autovacuum
    waits for enough changed rows): without them it plans a last-4 search as if 1,000 customers matched and
    walks the whole created_at index instead of this one."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE customers_customer")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_staff_figures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(django.db.models.functions.text.Right("phone", 4), name="customers_phone_tail"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
