from django.core.management.base import BaseCommand, CommandError

from shop.jobs import load_jobs


class Command(BaseCommand):
    help = "Run one scheduled job (DESIGN §5) once, in this process."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, name, **options):
        jobs = load_jobs()
        if name not in jobs:
            raise CommandError(f"Unknown job {name!r}. Jobs: {', '.join(sorted(jobs))}")
        task, _schedule = jobs[name]
        result = task.apply(throw=True).get()
        self.stdout.write(f"{name}: {result}")
