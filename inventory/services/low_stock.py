"""The low-stock alerts job: open and close low-stock episodes, alert the warehouse team once."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory import selectors
from inventory.models import (
    LowStockAlert,
    SkuStock,
)
from inventory.services.rollup import _lock_before_update, _refresh_thresholds, rollup_backfill


@transaction.atomic(durable=True)
def low_stock_alerts_run(*, now=None) -> dict:
    """Open an episode (and alert the warehouse team once) for each SKU that fell to its threshold;
    close the episodes of SKUs that are above it again."""
    from django.urls import reverse

    from shop.services import notify

    now = now or timezone.now()
    rollup_backfill()
    # Days of cover follow sales, which also age out of the 30-day window: refreshed here, set-based.
    _refresh_thresholds(_lock_before_update(SkuStock.objects.filter(cover_days__isnull=False)), now=now)
    low = {
        row["pk"]: {**row, "threshold": row["limit"]}
        for row in selectors.low_stock(now=now).values("pk", "available", "limit", code=F("sku__code"))
    }
    open_alerts = {a.sku_id: a for a in selectors.open_alerts().select_for_update()}
    closed = LowStockAlert.objects.filter(pk__in=[a.pk for s, a in open_alerts.items() if s not in low]).update(
        closed_at=now
    )
    new = [row for pk, row in low.items() if pk not in open_alerts]
    LowStockAlert.objects.bulk_create(
        [
            LowStockAlert(sku_id=row["pk"], available=row["available"], threshold=row["threshold"], opened_at=now)
            for row in new
        ],
        ignore_conflicts=True,
    )
    if new:
        shown = sorted(new, key=lambda row: row["available"])[:20]
        notify(
            role="warehouse",
            email=True,
            kind="low_stock",
            url=reverse("inventory:low_stock"),
            title=ngettext("%(n)s SKU is low on stock", "%(n)s SKUs are low on stock", len(new)) % {"n": len(new)},
            body="\n".join(_("%(code)s: %(available)s available (threshold %(threshold)s)") % row for row in shown),
        )
    return {"opened": len(new), "closed": closed}
