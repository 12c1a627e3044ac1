"""Recommendations: "frequently bought together" pairs and the store's best sellers, both rebuilt nightly.

The `recompute_recommendations` job (customers.services.recommendations) rebuilds both tables from the
purchases the orders app offers (`OrdersConfig.purchase_baskets`), in SQL, replacing every row in one
transaction. A basket is one order that counts as a purchase; a product is in it when any of its SKUs is.

ProductPair(product A, other product B), over the baskets of the last `PAIR_DAYS` days:
    together   baskets holding both A and B (the co-occurrence count)
    score      confidence(A -> B) = together / baskets holding A: "x% of the orders with A also had B"
    lift       confidence(A -> B) / share of all baskets holding B (> 1: bought together more than chance)
    rank       1 = the best pair of A: most baskets together, then the higher lift, then the lower product id
Only the first `TOP_N` pairs of each product are kept, and only pairs seen together in `MIN_TOGETHER` baskets.

BestSeller(product): baskets holding the product in the last `BEST_SELLER_DAYS` days, ranked (top `BEST_SELLERS`);
the fallback of a customer's recommendations.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProductPair(models.Model):
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    other = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("bought with")
    )
    together = models.PositiveIntegerField(_("orders with both"))
    score = models.FloatField(
        _("confidence"), help_text=_("Share of the orders with the product that also had the other.")
    )
    lift = models.FloatField(_("lift"))
    rank = models.PositiveSmallIntegerField(_("pair rank"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("product pair")
        verbose_name_plural = _("product pairs")
        ordering = ["product_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["product", "other"], name="customers_productpair_unique"),
            models.UniqueConstraint(fields=["product", "rank"], name="customers_productpair_rank_unique"),
            models.CheckConstraint(
                condition=~models.Q(product=models.F("other")), name="customers_productpair_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.product_id} + {self.other_id} ({self.together})"


class BestSeller(models.Model):
    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    orders = models.PositiveIntegerField(_("orders counted"))
    rank = models.PositiveIntegerField(_("sales rank"), unique=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("best seller")
        verbose_name_plural = _("best sellers")
        ordering = ["rank"]

    def __str__(self):
        return f"{self.rank}. {self.product_id} ({self.orders})"
