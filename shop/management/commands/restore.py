from django.core.management.base import BaseCommand, CommandError

from shop import backup
from shop.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore the database from a backup file written by `manage.py backup`: the file is verified, its "
        "migration state compared with this code's, then EVERY table of the database is replaced by the backup's "
        "contents (what is in the database now is lost). A backup from newer code is refused; one taken at an "
        "older migration state is refused unless --migrate, which runs the missing migrations after restoring."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="restore a backup taken at an older migration state, then run the migrations it lacks",
        )
        parser.add_argument(
            "--into",
            default=None,
            help="restore into this database instead (a PostgreSQL database name on the same server, or a SQLite "
            "file), e.g. an empty one to check a backup without touching the store",
        )

    def handle(self, file, yes, migrate, into, **options):
        try:
            plan = backup.restore_plan(file, migrate=migrate, into=into)
            self.stdout.write(plan)
            if not yes and input("Replace the whole database? [y/N] ").strip().lower() != "y":
                raise CommandError("Restore cancelled; nothing was changed.")
            done = backup.restore(file, migrate=migrate, into=into)
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {into or 'the configured database'}."))
        if done["migrated"]:
            self.stdout.write(f"Then ran {len(done['migrated'])} migrations: {', '.join(done['migrated'])}")
