from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from shop.china import PROVINCES, province_key
from shop.dates import day_start
from shop.lists import FilterSet, IdFilter


class OrderFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Order.Status.choices)
    placed_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    payment_method = django_filters.ChoiceFilter(label=_("Payment"), choices=Order.PaymentMethod.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Order.Channel.choices)
    province = django_filters.ChoiceFilter(
        label=_("Province"), choices=[(p, p) for p in PROVINCES], method="filter_province"
    )
    total_min = django_filters.NumberFilter(
        label=_("Amount from"),
        field_name="total",
        lookup_expr="gte",
        min_value=0,
        max_value=999_999_999_999,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "short"}),
    )
    total_max = django_filters.NumberFilter(
        label=_("to"),
        field_name="total",
        lookup_expr="lte",
        min_value=0,
        max_value=999_999_999_999,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "short"}),
    )
    abnormal = django_filters.BooleanFilter(
        label=_("Abnormal"), field_name="is_abnormal", widget=django_filters.widgets.BooleanWidget()
    )
    aftersales = django_filters.ChoiceFilter(
        label=_("After-sales"),
        field_name="aftersales_status",
        choices=[c for c in Order.AftersalesStatus.choices if c[0] != Order.AftersalesStatus.NONE],
    )
    # Set by the customer page's "view all" link: one customer's orders (index orders_customer_placed).
    customer = IdFilter(label=_("Customer"), field_name="customer_id")

    class Meta:
        model = Order
        fields: list[str] = []

    def filter_from(self, queryset, name, value):
        return queryset.filter(placed_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(placed_at__lt=day_start(value + timedelta(days=1)))

    def filter_province(self, queryset, name, value):
        return queryset.filter(ship_province__startswith=province_key(value))
