from django.core.management.base import BaseCommand, CommandError

from shop import backup
from shop.errors import DomainError


class Command(BaseCommand):
    help = "Restore the database from a backup file written by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, file, yes, **options):
        if not yes and input(f"Replace the whole database with {file}? [y/N] ").strip().lower() != "y":
            raise CommandError("Restore cancelled.")
        try:
            backup.restore(file)
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(f"restored from {file}")
