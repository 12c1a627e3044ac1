from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")
    nav: list = [  # (url name, label, permission), one block per area
        # complaints and the knowledge base
        ("aftersales:complaint_list", _("Complaints"), "aftersales.view_complaint"),
        ("aftersales:faq_list", _("FAQ articles"), "aftersales.view_faqarticle"),
        ("aftersales:complaint_sla", _("Complaint SLA"), "aftersales.view_complaintsla"),
        ("aftersales:report", _("After-sales report"), "aftersales.view_aftersales_report"),
    ]

    def ready(self):
        pass  # each area connects its receivers here

    # -- complaints ----------------------------------------------------------------------------------------
    def sla_sweep(self, *, now):
        """The `complaint_sla` job (customers.tasks) asks every module for its SLA timers."""
        from aftersales.services import complaints_sla_sweep

        return {"complaints": complaints_sla_sweep(now=now)}

    def customer_panels(self, user, customer):
        """The customer's complaints on the customer page (customers' timeline takes no other module's rows)."""
        from aftersales.selectors import customer_complaints
        from shop.related import related

        if not user.has_perm("aftersales.view_complaint"):
            return []
        return [
            related(
                customer_complaints(customer),
                key="customer-complaints",
                title=_("Complaints"),
                template="aftersales/_complaint_rows.html",
                url=f"{reverse('aftersales:complaint_list')}?customer={customer.pk}",
            )
        ]

    def order_panels(self, user, order):
        """The order's complaints on the order page."""
        from aftersales.selectors import order_complaints
        from shop.related import related

        if not user.has_perm("aftersales.view_complaint"):
            return []
        return [
            related(
                order_complaints(order),
                key="order-complaints",
                title=_("Complaints"),
                template="aftersales/_complaint_rows.html",
                url=f"{reverse('aftersales:complaint_list')}?order={order.pk}",
            )
        ]

    def message_panels(self, user, message):
        """The FAQ search box beside a customer message (customers' inbox), for staff who may read the FAQ."""
        from aftersales.models import FaqArticle
        from shop.related import Related

        if not user.has_perm("aftersales.view_faqarticle"):
            return []
        return [
            Related(
                key="faq-search",
                title=_("Knowledge base"),
                rows=[],
                total=FaqArticle.objects.filter(published=True).count(),  # the published articles it searches
                url="",
                template="aftersales/_faq_search.html",
            )
        ]
