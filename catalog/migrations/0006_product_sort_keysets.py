from django.db import migrations, models


def price_desc_index(apps, schema_editor):
    """The keyset index of the sort by price, highest first (DESC NULLS LAST, as shop.keyset orders nullable
    fields). SQLite refuses NULLS LAST in an index, and sorts NULL first ascending, so DESC alone is the same
    order."""
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX catalog_product_price_desc_keyset ON catalog_product (price_min DESC{nulls}, id DESC)"
    )


def drop_price_desc_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX catalog_product_price_desc_keyset")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_search_indexes_fastupdate_off"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["name", "id"], name="catalog_product_name_keyset"),
        ),
        migrations.RunPython(price_desc_index, drop_price_desc_index),
    ]
