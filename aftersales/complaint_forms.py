"""Forms and list filters of the complaint pages and the knowledge base."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.models import Complaint, ComplaintSla, FaqArticle, FaqCategory
from aftersales.services.complaints import REPLY_MAX, RESPOND_KINDS, SUBJECT_MAX, TEXT_MAX
from catalog.models import Product
from customers.forms import StaffChoiceField  # a staff member by full name (the inbox's field)
from customers.models import Customer
from customers.services import normalise_phone
from orders.models import Order, Shipment
from shop.dates import day_start
from shop.errors import DomainError
from shop.lists import FilterSet, IdFilter


def _staff_choices():
    from aftersales.services import assignable_staff

    return assignable_staff()


class ComplaintFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Complaint.Status.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Complaint.Category.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Complaint.Priority.choices)
    assignee = django_filters.ModelChoiceFilter(label=_("Assignee"), queryset=None, method="filter_assignee")
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    escalated = django_filters.BooleanFilter(label=_("Escalated"), method="filter_escalated")
    received_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    order = IdFilter(label=_("Order"), field_name="order_id")

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].queryset = _staff_choices()

    def filter_assignee(self, queryset, name, value):
        return queryset.filter(assignee=value)

    def filter_overdue(self, queryset, name, value):
        from aftersales.selectors import overdue_q

        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_escalated(self, queryset, name, value):
        return queryset.filter(escalation_level__gt=0) if value else queryset.filter(escalation_level=0)

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=day_start(value + timedelta(days=1)))


class ComplaintForm(forms.Form):
    """A complaint staff take down: the customer by mobile number, or the order's customer."""

    phone = forms.CharField(label=_("Customer's mobile"), max_length=30, required=False)
    order_number = forms.CharField(label=_("Order number"), max_length=32, required=False)
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=40, required=False, help_text=_("For a logistics complaint.")
    )
    product_code = forms.CharField(label=_("Product code"), max_length=64, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Complaint.Priority.choices, initial="normal")
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, required=False)
    description = forms.CharField(label=_("Description"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    assignee = StaffChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices()

    def clean(self):
        data = super().clean()
        order = shipment = product = customer = None
        number = (data.get("order_number") or "").strip()
        if number:
            order = Order.objects.select_related("customer").filter(number=number).first()
            if order is None:
                self.add_error("order_number", _("No order has the number %(n)s.") % {"n": number})
        phone = (data.get("phone") or "").strip()
        if phone:
            try:
                customer = Customer.objects.filter(phone=normalise_phone(phone)).first()
            except DomainError:
                self.add_error("phone", _("Invalid mobile number."))
            else:
                if customer is None:
                    self.add_error("phone", _("No customer has this mobile number."))
        elif order is not None:
            customer = order.customer
        elif not number:
            self.add_error("phone", _("Give the customer's mobile or an order number."))
        tracking = (data.get("tracking_number") or "").strip()
        if tracking:
            found = Shipment.objects.filter(tracking_number=tracking)
            shipment = (found.filter(order=order) if order is not None else found).select_related("order").first()
            if shipment is None:
                self.add_error("tracking_number", _("No shipment has the tracking number %(t)s.") % {"t": tracking})
        code = (data.get("product_code") or "").strip()
        if code:
            product = Product.objects.filter(code=code).first()
            if product is None:
                self.add_error("product_code", _("No product has the code %(c)s.") % {"c": code})
        data.update(customer=customer, order=order, shipment=shipment, product=product)
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        keys = (
            "customer",
            "order",
            "shipment",
            "product",
            "category",
            "priority",
            "subject",
            "description",
            "assignee",
        )
        return {k: d[k] for k in keys}


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices()


class RespondForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=list(RESPOND_KINDS.items()), initial="reply")
    text = forms.CharField(label=_("Text"), max_length=REPLY_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(
        label=_("Send by"),
        required=False,
        choices=[
            ("", _("The customer's channel (SMS to a mobile, else email)")),
            ("sms", _("SMS")),
            ("email", _("Email")),
        ],
    )


class EscalateForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Escalate to"),
        coerce=int,
        choices=[
            (Complaint.Level.SUPERVISOR, Complaint.Level.SUPERVISOR.label),
            (Complaint.Level.OWNER, Complaint.Level.OWNER.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int, choices=[(n, str(n)) for n in range(1, 6)])
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class SlaForm(forms.ModelForm):
    class Meta:
        model = ComplaintSla
        fields = ["hours", "escalate_hours"]


# -- the knowledge base ---------------------------------------------------------------------------------------
class FaqFilter(FilterSet):
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=FaqCategory.objects.all())
    published = django_filters.BooleanFilter(label=_("Published"))

    class Meta:
        model = FaqArticle
        fields: list[str] = []


class FaqArticleForm(forms.ModelForm):
    class Meta:
        model = FaqArticle
        fields = ["category", "question", "answer", "published", "position"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"answer": _("Simple HTML (paragraphs, lists, links, bold); scripts are removed on save.")}


class FaqCategoryForm(forms.ModelForm):
    class Meta:
        model = FaqCategory
        fields = ["name", "position"]
