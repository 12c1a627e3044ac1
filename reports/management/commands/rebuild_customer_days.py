from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.services import customer_days_rebuild


class Command(BaseCommand):
    help = "Recount the dashboard's new and returning customers of the local days --from .. --to (inclusive)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")

    def handle(self, *args, start, end, **options):
        try:
            start_day, end_day = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise CommandError("Dates are YYYY-MM-DD.") from None
        if end_day < start_day:
            raise CommandError("--to is before --from.")
        self.stdout.write(f"{customer_days_rebuild(start=start_day, end=end_day)} days recounted")
