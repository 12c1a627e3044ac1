"""The dashboard's customer figures per local day, kept up to date when an order is paid.

The sales rollups (rollups.py) count orders and money; who bought is not additive over days, so this table
counts each customer on the day of their first paid order (`new_customers`) and, on every later day they pay,
once that day (`returning_customers`). A period's new customers add up exactly; its returning customers are
customer-days (a customer who came back on two days of the period counts twice), which the page says.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
