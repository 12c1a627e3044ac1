"""The invariants every module keeps (DESIGN §3), checked in one place: `manage.py check_invariants`, the
reliability runs after their load, and the tests.

Each module answers the `invariants` hook on its AppConfig with {description: rows}, where rows is a queryset
(or list) of what breaks the rule — empty when all is well: inventory (ledger sums, rollups, batches, no
negative available stock), payments (refunds within captures and equal to their payment's totals, one capture
per paid order), customers (points balances equal their ledgers), orders (every status explained by its
timeline), and each later module its own.
"""

from dataclasses import dataclass, field

from shop.hooks import hook_answers


@dataclass
class Invariant:
    rule: str
    broken: int
    examples: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.broken == 0


def invariants_check(*, examples: int = 5) -> list[Invariant]:
    """Every module's invariants, each with how many rows break it and a few of them."""
    results = []
    for answer in hook_answers("invariants"):
        for rule, rows in answer.items():
            if isinstance(rows, list):
                broken, sample = len(rows), rows[:examples]
            else:
                sample = list(rows[:examples])
                broken = len(sample) if len(sample) < examples else rows.count()
            results.append(Invariant(str(rule), broken, [str(row) for row in sample]))
    return results


__all__ = ["Invariant", "invariants_check"]
