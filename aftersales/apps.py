from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")
    nav: list = [  # (url name, label, permission), one block per area
        # reviews and surveys
        ("aftersales:review_list", _("Reviews"), "aftersales.view_review"),
        ("aftersales:product_ratings", _("Product ratings"), "aftersales.view_review"),
        ("aftersales:keyword_list", _("Moderation keywords"), "aftersales.view_moderationkeyword"),
        ("aftersales:survey_results", _("Satisfaction surveys"), "aftersales.view_survey"),
    ]

    def ready(self):
        # each area connects its receivers here
        from aftersales import receivers  # noqa: F401  (reviews and surveys: order_completed, request_closed)

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

    def customer_panels(self, user, customer):
        """The customer's reviews on their customer page."""
        from aftersales.selectors import reviews
        from shop.related import related

        if not user.has_perm("aftersales.view_review"):
            return []
        return [
            related(
                reviews().filter(customer=customer).order_by("-created_at", "-id"),
                key="customer-reviews",
                title=_("Reviews"),
                template="aftersales/_customer_reviews.html",
                url=f"{reverse('aftersales:review_list')}?customer={customer.pk}",
                limit=10,
            )
        ]
