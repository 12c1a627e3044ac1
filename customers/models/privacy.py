"""Privacy: the record of each erasure (anonymisation) of a customer, and the privacy permissions.

The permissions are app-wide codes (`customers.<codename>`), declared here beside the erasure record:
- `customers.reveal_phone`: see full phone numbers (every page shows 138****1234 to everyone and offers this
  permission a "show" button that audits the reveal; exports carry full numbers only for it, audited);
- `customers.export_customer_data`: download one customer's data file (profile, addresses, tags and the
  sections other apps add through `AppConfig.customer_data_export`);
- `customers.erase_customer`: erase (anonymise) a customer on their request.
The rule itself lives in customers/privacy.py; the roles that hold them in shop/roles.py.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerErasure(models.Model):
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.PROTECT, related_name="erasure", verbose_name=_("customer")
    )
    reason = models.CharField(_("request reference"), max_length=200, blank=True)
    erased_by = models.CharField(_("by"), max_length=150)
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer erasure")
        verbose_name_plural = _("customer erasures")
        ordering = ["-erased_at", "-id"]
        default_permissions = ()  # no page adds, edits or lists erasures; only the privacy permissions below
        permissions = [
            ("reveal_phone", "Can see full phone numbers"),
            ("export_customer_data", "Can export a customer's data file"),
            ("erase_customer", "Can erase (anonymise) a customer"),
        ]

    def __str__(self):
        return f"{self.customer_id} @ {self.erased_at:%Y-%m-%d}"
