import importlib
import importlib.util

from django.core.management.base import BaseCommand

from shop import demo
from shop.models import MODULE_APPS


class Command(BaseCommand):
    help = "Fill a realistic demo store (idempotent: running it again adds nothing twice)."

    def handle(self, **options):
        demo.seed(self.stdout)
        # Each module app may ship a demo.py with seed(stdout); they run in dependency order.
        for label in MODULE_APPS:
            if importlib.util.find_spec(f"{label}.demo"):
                importlib.import_module(f"{label}.demo").seed(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo store ready. Log in at http://127.0.0.1:8000 as {demo.OWNER_USERNAME} / {demo.DEMO_PASSWORD}"
            )
        )
