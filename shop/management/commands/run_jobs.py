import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from shop.jobs import load_jobs


def _stamp() -> str:
    """Now in the store's time zone (TIME_ZONE, as the pages show times), not the server's UTC."""
    return f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"


class Command(BaseCommand):
    help = "Run the job schedule in this process (the no-Redis default; with Redis, use celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running the schedule until stopped")
        parser.add_argument("--tick", type=float, default=15.0, help="seconds between schedule checks")

    def handle(self, loop, tick, **options):
        jobs = load_jobs()
        last_run = {name: timezone.now() for name in jobs}
        while True:
            for name, (task, run_every) in jobs.items():
                due, _next = run_every.is_due(last_run[name])
                if due or not loop:
                    last_run[name] = timezone.now()
                    try:  # the loop is a scheduler: one run per tick beside beat or another loop
                        result = task.apply(kwargs={"_tick": True} if loop else {}, throw=True).get()
                        self.stdout.write(f"{_stamp()} {name}: {result}")
                    except Exception as e:
                        self.stderr.write(f"{_stamp()} {name} failed: {e}")
            if not loop:
                return
            time.sleep(tick)
