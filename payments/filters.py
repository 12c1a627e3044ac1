import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import BlacklistEntry, Payment, PaymentMethod, Refund, RiskAssessment, SettlementBatch
from shop.lists import FilterSet

DATE = forms.DateInput(attrs={"type": "date"})


class PaymentFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Payment.Status.choices)
    flag = django_filters.ChoiceFilter(label=_("Flag"), choices=Payment.Flag.choices[1:])
    method = django_filters.ModelChoiceFilter(label=_("Payment method"), queryset=PaymentMethod.objects.all())
    paid_from = django_filters.DateFilter(
        label=_("Paid from"), field_name="paid_at", lookup_expr="date__gte", widget=DATE
    )
    paid_to = django_filters.DateFilter(label=_("Paid to"), field_name="paid_at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = Payment
        fields = ["status", "flag", "method"]


class RefundFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Refund.Status.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Refund.Source.choices)
    method = django_filters.ModelChoiceFilter(
        label=_("Payment method"), field_name="payment__method", queryset=PaymentMethod.objects.all()
    )

    class Meta:
        model = Refund
        fields = ["status", "source"]


class RiskFilter(FilterSet):
    decision = django_filters.ChoiceFilter(label=_("Decision"), choices=RiskAssessment.Decision.choices)
    min_score = django_filters.NumberFilter(label=_("Score at least"), field_name="score", lookup_expr="gte")

    class Meta:
        model = RiskAssessment
        fields = ["decision"]


class BlacklistFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=BlacklistEntry.Kind.choices)

    class Meta:
        model = BlacklistEntry
        fields = ["kind"]


class SettlementFilter(FilterSet):
    method = django_filters.ModelChoiceFilter(label=_("Payment method"), queryset=PaymentMethod.objects.all())
    day_from = django_filters.DateFilter(label=_("From"), field_name="day", lookup_expr="gte", widget=DATE)
    day_to = django_filters.DateFilter(label=_("To"), field_name="day", lookup_expr="lte", widget=DATE)

    class Meta:
        model = SettlementBatch
        fields = ["method"]
