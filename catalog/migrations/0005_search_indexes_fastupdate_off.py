"""The product search's trigram indexes without a pending list (PostgreSQL; SQLite has none of them).

With GIN's fastupdate a new or changed product goes to the index's pending list, which every search reads in
full until a vacuum merges it: after an import of 30k products that is ~500 pages a search, and the planner
then prefers a sequential scan of every name (12 ms a statement, two a search) over the index (0.1 ms).
Without it each product write updates the index at once, and a search costs the same between vacuums."""

from django.db import migrations

INDEXES = ("catalog_product_name_trgm", "catalog_product_keywords_trgm")


def fastupdate(on):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in INDEXES:
            schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = {'on' if on else 'off'})")
            if not on:  # merge what is pending now
                schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_product_updated_keyset")]
    operations = [migrations.RunPython(fastupdate(False), fastupdate(True))]
