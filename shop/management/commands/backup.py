from django.core.management.base import BaseCommand, CommandError

from shop import backup
from shop.errors import DomainError


class Command(BaseCommand):
    help = "Write a verified database backup to BACKUP_DIR and prune old ones."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None)
        parser.add_argument("--keep", type=int, default=None)

    def handle(self, dir, keep, **options):
        try:
            path = backup.backup_create(directory=dir, keep=keep)
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(f"backup written and verified: {path}")
