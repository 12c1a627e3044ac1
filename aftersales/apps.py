from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")
    nav: list = [  # (url name, label, permission), one block per area
        # -- requests --
        ("aftersales:request_list", _("After-sales requests"), "aftersales.view_aftersalesrequest"),
        ("aftersales:reason_list", _("After-sales reasons"), "aftersales.view_aftersalesreason"),
        ("aftersales:policy", _("After-sales policy"), "aftersales.view_autoapprovalrule"),
        # complaints and the knowledge base
        ("aftersales:complaint_list", _("Complaints"), "aftersales.view_complaint"),
        ("aftersales:faq_list", _("FAQ articles"), "aftersales.view_faqarticle"),
        ("aftersales:complaint_sla", _("Complaint SLA"), "aftersales.view_complaintsla"),
        ("aftersales:report", _("After-sales report"), "aftersales.view_aftersales_report"),
        # reviews and surveys
        ("aftersales:review_list", _("Reviews"), "aftersales.view_review"),
        ("aftersales:product_ratings", _("Product ratings"), "aftersales.view_review"),
        ("aftersales:keyword_list", _("Moderation keywords"), "aftersales.view_moderationkeyword"),
        ("aftersales:survey_results", _("Satisfaction surveys"), "aftersales.view_survey"),
    ]

    def ready(self):
        from aftersales import receivers  # noqa: F401  (reviews and surveys: order_completed, request_closed)

    # -- requests --------------------------------------------------------------------------------------------
    def sla_sweep(self, *, now):
        """The after-sales SLA timers, asked by customers' `complaint_sla` job (shop.hooks.hook_answers): the
        requests' response and refund timers, then the complaints' (each in its own transaction)."""
        from aftersales.services import complaints_sla_sweep, requests_sla_sweep

        return {"requests": requests_sla_sweep(now=now), "complaints": complaints_sla_sweep(now=now)}

    def invariants(self):
        """After-sales invariants (shop.invariants): each queryset is empty when all is well."""
        from aftersales import selectors

        return {
            "aftersales: order lines asked back more often than bought": selectors.over_requested_lines(),
            "aftersales: refunded requests whose lines do not add up to their refund": (
                selectors.refunds_not_matching_lines()
            ),
        }

    def order_links(self, user, order):
        """The order page's after-sales links: the order's requests, and "Request after-sales" for staff who
        may enter one (orders asks through shop.hooks; it never imports aftersales)."""
        from django.urls import reverse

        from aftersales.selectors import order_requests

        links = []
        if user.has_perm("aftersales.view_aftersalesrequest"):
            links += [
                {
                    "url": r.get_absolute_url(),
                    "label": f"{r.number} · {r.get_kind_display()} · {r.get_status_display()}",
                    "testid": "aftersales-request",
                }
                for r in order_requests(order)[:10]
            ]
        if user.has_perm("aftersales.add_aftersalesrequest") and order.paid_at is not None:
            links.append(
                {
                    "url": reverse("aftersales:request_new", args=[order.pk]),
                    "label": _("Request after-sales"),
                    "testid": "request-aftersales",
                    "button": True,
                }
            )
        return links

    # -- complaints ----------------------------------------------------------------------------------------
    def customer_panels(self, user, customer):
        """The customer's complaints and reviews on the customer page (customers' timeline takes no other module's
        rows)."""
        from aftersales.selectors import customer_complaints, reviews
        from shop.related import related

        panels = []
        if user.has_perm("aftersales.view_complaint"):
            panels.append(
                related(
                    customer_complaints(customer),
                    key="customer-complaints",
                    title=_("Complaints"),
                    template="aftersales/_complaint_rows.html",
                    url=f"{reverse('aftersales:complaint_list')}?customer={customer.pk}",
                )
            )
        if user.has_perm("aftersales.view_review"):
            panels.append(
                related(
                    reviews().filter(customer=customer).order_by("-created_at", "-id"),
                    key="customer-reviews",
                    title=_("Reviews"),
                    template="aftersales/_customer_reviews.html",
                    url=f"{reverse('aftersales:review_list')}?customer={customer.pk}",
                    limit=10,
                )
            )
        return panels

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

    # -- reviews -----------------------------------------------------------------------------------------------
    def product_panels(self, user, product):
        """The product's rating summary and latest reviews on catalog's product page."""
        from aftersales.selectors import rating_summary, reviews
        from aftersales.views.reviews import RatingPanel

        if not user.has_perm("aftersales.view_review"):
            return []
        rows = reviews().filter(product=product).order_by("-created_at", "-id")
        latest = list(rows[:6])
        return [
            RatingPanel(
                key="reviews",
                title=_("Reviews"),
                rows=latest[:5],
                total=rows.order_by().count() if len(latest) > 5 else len(latest),
                url=f"{reverse('aftersales:review_list')}?product={product.pk}",
                template="aftersales/_product_reviews.html",
                summary=rating_summary(product=product),
            )
        ]

    # -- reports (reports asks every module; aftersales never imports reports) ---------------------------------
    def dashboard_work(self, user):
        """The dashboard's work waiting: requests past their SLA timers and complaints past their SLA, each
        linked to its list filtered to them."""
        from django.utils import timezone

        from aftersales.models import AftersalesRequest, Complaint
        from aftersales.selectors import overdue_q as complaints_overdue
        from aftersales.services.sla import overdue_q as requests_overdue

        now, work = timezone.now(), []
        if user.has_perm("aftersales.view_aftersalesrequest"):
            work.append(
                {
                    "key": "aftersales_requests_sla",
                    "label": _("After-sales requests over SLA"),
                    "count": AftersalesRequest.objects.filter(requests_overdue(now)).count(),
                    "url": f"{reverse('aftersales:request_list')}?overdue=true",
                    "permission": "aftersales.view_aftersalesrequest",
                }
            )
        if user.has_perm("aftersales.view_complaint"):
            work.append(
                {
                    "key": "aftersales_complaints_sla",
                    "label": _("Complaints over SLA"),
                    "count": Complaint.objects.filter(complaints_overdue(now)).count(),
                    "url": f"{reverse('aftersales:complaint_list')}?overdue=true",
                    "permission": "aftersales.view_complaint",
                }
            )
        return work

    def staff_figures(self, *, start, end):
        """Reports' staff performance column: per staff user, the complaints they answered in [start, end)."""
        from django.db.models import Count

        from aftersales.models import ComplaintNote

        rows = (
            ComplaintNote.objects.filter(
                kind=ComplaintNote.Kind.REPLY, created_at__gte=start, created_at__lt=end, author__isnull=False
            )
            .order_by()
            .values("author_id")
            .annotate(n=Count("complaint_id", distinct=True))
        )
        return [
            {
                "key": "complaints_answered",
                "label": _("Complaints answered"),
                "kind": "count",
                "values": {row["author_id"]: row["n"] for row in rows},
            }
        ]
