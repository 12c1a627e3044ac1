from django.core.management.base import BaseCommand, CommandError

from shop.invariants import invariants_check


class Command(BaseCommand):
    help = "Check every module's invariants (stock ledgers, refunds, points, timelines); exit 1 if one breaks."

    def handle(self, **options):
        results = invariants_check()
        for result in results:
            mark = "ok  " if result.holds else "FAIL"
            self.stdout.write(f"{mark} {result.rule} ({result.broken})")
            for example in result.examples:
                self.stdout.write(f"       {example}")
        broken = [r for r in results if not r.holds]
        if broken:
            raise CommandError(f"{len(broken)} of {len(results)} invariants broken.")
        self.stdout.write(f"All {len(results)} invariants hold.")
