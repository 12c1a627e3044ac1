from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.services import rollups_rebuild
from shop.errors import DomainError


class Command(BaseCommand):
    help = "Rebuild the sales rollups of the local days --from .. --to (inclusive) from the raw rows."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")

    def handle(self, *args, start, end, **options):
        try:
            result = rollups_rebuild(start=date.fromisoformat(start), end=date.fromisoformat(end))
        except ValueError:
            raise CommandError("Dates are YYYY-MM-DD.") from None
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(
            "{days} days: {day_rows} day rows, {sku_rows} SKU rows, {hour_rows} hour rows, "
            "{payment_rows} payment rows".format(**result)
        )
