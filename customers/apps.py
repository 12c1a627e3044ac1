from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")
    nav = [
        ("customers:customer_list", _("Customers"), "customers.view_customer"),
        ("customers:segment_list", _("Segments"), "customers.view_segment"),
    ]

    def dashboard_stats(self, user):
        from django.utils import timezone

        from customers.models import Customer

        if not user.has_perm("customers.view_customer"):
            return []
        since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return [
            {
                "label": _("New customers today"),
                "value": Customer.objects.filter(created_at__gte=since).count(),
                "url": reverse("customers:customer_list"),
                "permission": "customers.view_customer",
            }
        ]
