"""Trigram indexes for the product search on PostgreSQL (SQLite searches without them)."""
from django.db import migrations

INDEXES = {
    "catalog_product_name_trgm": 'catalog_product USING gin (UPPER("name") gin_trgm_ops)',
    "catalog_product_keywords_trgm": 'catalog_product USING gin (UPPER("keywords") gin_trgm_ops)',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
