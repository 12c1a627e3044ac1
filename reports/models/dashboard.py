"""The dashboard's customer figures per local day, kept up to date when an order is paid; its top products' sums
over the closed days of a period.

The sales rollups (rollups.py) count orders and money; who bought is not additive over days, so this table
counts each customer on the day of their first paid order (`new_customers`) and, on every later day they pay,
once that day (`returning_customers`). A period's new customers add up exactly; its returning customers are
customer-days (a customer who came back on two days of the period counts twice), which the page says.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.money import MONEY


class CustomerDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    new_customers = models.IntegerField(_("new customers"), default=0)
    returning_customers = models.IntegerField(_("returning customers"), default=0)

    class Meta:
        verbose_name = _("customers per day")
        verbose_name_plural = _("customers per day")
        default_permissions = ()

    def __str__(self):
        return f"{self.day} +{self.new_customers} / {self.returning_customers}"


class SalesSkuSpan(models.Model):
    """The per-SKU sums of SalesDaySku over a span of closed days (units; sales = gross less discounts): the
    dashboard's top products of a longer period are this span's leaders plus today's rows. Built by the first
    dashboard that needs the span (reports.dashboard) and dropped with the rollups' days it covers (a rebuild, a
    sale paid on a closed day); a closed day's sales do not change otherwise."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("SKU")
    )
    units = models.IntegerField(_("units"), default=0)
    sales = models.DecimalField(_("sales"), default=0, **MONEY)

    class Meta:
        verbose_name = _("sales per SKU over closed days")
        verbose_name_plural = _("sales per SKU over closed days")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["first_day", "last_day", "sku"], name="reports_salesskuspan_key")
        ]
        indexes = [models.Index(fields=["first_day", "last_day", "sales"], name="reports_salesskuspan_sales")]

    def __str__(self):
        return f"{self.first_day}..{self.last_day} {self.sku_id}"
