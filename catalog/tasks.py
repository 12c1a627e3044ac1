"""Catalogue jobs: each only calls a service and is safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from catalog import services
from shop.jobs import job, schedule


@job("publish_scheduled_products", schedule(60))
def publish_scheduled_products():
    return services.products_run_schedule()


@shared_task(name="houtai.catalog_import_products")
def import_products(run_id, path, filename, actor_id):
    """Import an uploaded product file (stored at `path`), then delete the upload."""
    with default_storage.open(path, "rb") as f:
        data = f.read()
    try:
        services.products_import(
            actor=get_user_model().objects.filter(pk=actor_id).first(), run_id=run_id, data=data, filename=filename
        )
    finally:
        default_storage.delete(path)
