"""After-sales forms and list filters, one block per area."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import Review, Survey
from aftersales.models.reviews import RATINGS
from aftersales.services.reviews import KEYWORD_MAX, REPLY_MAX
from shop.lists import FilterSet, IdFilter


# -- reviews ---------------------------------------------------------------------------------------------
def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class ReviewFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Review.Status.choices)
    rating = django_filters.TypedChoiceFilter(
        label=_("Rating"), choices=[(r, f"{r}★") for r in reversed(RATINGS)], coerce=int
    )
    has_images = django_filters.BooleanFilter(label=_("With photos"), method="filter_images")
    keyword_hits = django_filters.BooleanFilter(label=_("Matched a keyword"), method="filter_keywords")
    is_default = django_filters.BooleanFilter(label=_("Default review"))
    posted_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    posted_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    product = IdFilter(label=_("Product"), field_name="product_id")
    sku = IdFilter(label=_("SKU"), field_name="sku_id")
    customer = IdFilter(label=_("Customer"), field_name="customer_id")

    class Meta:
        model = Review
        fields: list[str] = []

    def filter_images(self, queryset, name, value):
        return queryset.filter(image_count__gt=0) if value else queryset.filter(image_count=0)

    def filter_keywords(self, queryset, name, value):
        return queryset.exclude(flagged_keywords=[]) if value else queryset.filter(flagged_keywords=[])

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=REPLY_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class KeywordForm(forms.Form):
    word = forms.CharField(label=_("Keyword"), max_length=KEYWORD_MAX)


# -- satisfaction surveys -------------------------------------------------------------------------------
class SurveyResultsForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Group by"), choices=[("week", _("Week")), ("month", _("Month"))], required=False, initial="week"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All"))] + list(Survey.Kind.choices), required=False)
    days = forms.ChoiceField(
        label=_("Range"),
        choices=[("30", _("Last 30 days")), ("90", _("Last 90 days")), ("365", _("Last 365 days"))],
        required=False,
        initial="90",
    )
