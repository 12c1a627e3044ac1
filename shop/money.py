"""Money: Decimal with two places, rounded half-up (DESIGN §3). The one CENT and the one rounding rule."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from shop.errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}  # every money column: DecimalField(**MONEY)
LIMIT = Decimal("1e12")  # the first amount MONEY cannot hold


CURRENCY_SIGNS = {"CNY": "¥", "HKD": "HK$", "USD": "$"}


def format_money(value, currency="CNY") -> str:
    """¥1,234.50, grouped by the active locale; Decimal in, never float ("" for no value). The `money`
    template filter."""
    from django.utils.formats import number_format

    if value in (None, ""):
        return ""
    amount = to_cents(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY_SIGNS.get(currency, currency + ' ')}{number_format(abs(amount), 2, force_grouping=True)}"


def to_cents(value) -> Decimal:
    """Round an amount half-up to two places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value, *, field: str = "amount") -> Decimal:
    """An amount typed by a person or sent by a client, or a DomainError naming the field."""
    try:
        amount = to_cents(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or abs(amount) >= LIMIT:
        raise DomainError(_("Enter an amount."), code="invalid_amount", fields={field: _("Enter an amount.")})
    return amount


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` in proportion, each share half-up to the cent, the rounding remainder on the
    largest weight (the first of equals), so the shares always sum to `total` exactly."""
    if not weights:
        return []
    base = sum(weights, ZERO)
    if base == 0:
        shares = [ZERO] * len(weights)
        shares[0] = to_cents(total)
        return shares
    shares = [to_cents(total * w / base) for w in weights]
    largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
    shares[largest] += to_cents(total) - sum(shares, ZERO)
    return shares
