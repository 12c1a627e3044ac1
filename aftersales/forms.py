"""After-sales forms and list filters, one block per area: requests (filters, each step, staff entry, reasons,
policy), reviews and surveys."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import AftersalesLine, AftersalesReason, AftersalesRequest, AutoApprovalRule, Review, Survey
from aftersales.models.reviews import RATINGS
from aftersales.services import SETTING_FIELDS, overdue_q
from aftersales.services.reviews import KEYWORD_MAX, REPLY_MAX
from catalog.models import Category, Sku
from customers.forms import StaffChoiceField  # a staff member by full name (the inbox's field)
from inventory.models import Warehouse
from orders.models import Carrier
from shop.dates import day_start
from shop.lists import FilterSet, IdFilter
from shop.models import StoreSettings
from shop.selectors import staff_with_perm


def assignable_staff():
    """Active staff whose role may work after-sales requests."""
    return staff_with_perm("aftersales.change_aftersalesrequest")


class RequestFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AftersalesRequest.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AftersalesRequest.Kind.choices)
    reason = django_filters.ModelChoiceFilter(label=_("Reason"), queryset=AftersalesReason.objects.all())
    assignee = django_filters.ModelChoiceFilter(label=_("Assignee"), queryset=None)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    submitted_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    order = IdFilter(label=_("Order"), field_name="order_id")

    class Meta:
        model = AftersalesRequest
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].queryset = assignable_staff()

    def filter_overdue(self, queryset, name, value):
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_from(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=day_start(value + timedelta(days=1)))


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff()


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Staff note"), max_length=500, required=False)


class RejectForm(forms.Form):
    refusal_reason = forms.CharField(label=_("Refusal reason"), max_length=300)


class NoteForm(forms.Form):
    staff_note = forms.CharField(label=_("Staff note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReceiveForm(forms.Form):
    note = forms.CharField(label=_("Note on the parcel"), max_length=500, required=False)


class ShipReplacementForm(forms.Form):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.filter(is_active=True))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class InspectForm(forms.Form):
    """One outcome per line: back to stock (with the warehouse) or write off (with the reason); an exchange
    line also picks its replacement SKU (the same product's SKUs)."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_obj = request
        warehouses = Warehouse.objects.filter(is_active=True)
        self.rows = []
        for line in request.lines.all():
            prefix = f"line_{line.pk}"
            self.fields[f"{prefix}_outcome"] = forms.ChoiceField(
                label=_("Inspection of %(sku)s") % {"sku": line.order_line.sku_code},
                choices=[c for c in AftersalesLine.Outcome.choices if c[0] != AftersalesLine.Outcome.PENDING],
                widget=forms.RadioSelect,
            )
            self.fields[f"{prefix}_warehouse"] = forms.ModelChoiceField(
                label=_("Back to warehouse"), queryset=warehouses, required=False, initial=warehouses.first()
            )
            self.fields[f"{prefix}_reason"] = forms.CharField(
                label=_("Write-off reason"), max_length=200, required=False
            )
            names = [f"{prefix}_outcome", f"{prefix}_warehouse", f"{prefix}_reason"]
            if request.kind == AftersalesRequest.Kind.EXCHANGE:
                self.fields[f"{prefix}_replacement"] = forms.ModelChoiceField(
                    label=_("Replacement SKU"),
                    queryset=Sku.objects.filter(product_id=line.order_line.sku.product_id, is_active=True),
                    initial=line.order_line.sku_id,
                )
                names.append(f"{prefix}_replacement")
            self.rows.append((line, [self[n] for n in names]))

    def clean(self):
        data = super().clean()
        for line, _fields in self.rows:
            prefix = f"line_{line.pk}"
            outcome = data.get(f"{prefix}_outcome")
            if outcome == AftersalesLine.Outcome.RESTOCK and not data.get(f"{prefix}_warehouse"):
                self.add_error(f"{prefix}_warehouse", _("Choose the warehouse the goods go back to."))
            if outcome == AftersalesLine.Outcome.WRITE_OFF and not (data.get(f"{prefix}_reason") or "").strip():
                self.add_error(f"{prefix}_reason", _("Give the reason for the write-off."))
        return data

    def outcomes(self) -> dict:
        data = self.cleaned_data
        return {
            line.pk: {
                "outcome": data[f"line_{line.pk}_outcome"],
                "warehouse": data.get(f"line_{line.pk}_warehouse"),
                "reason": data.get(f"line_{line.pk}_reason") or "",
                "replacement_sku": data.get(f"line_{line.pk}_replacement"),
            }
            for line, _fields in self.rows
        }


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class StaffRequestForm(forms.Form):
    """A request entered by customer service from the order page: the kind, the reason, units per line."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AftersalesRequest.Kind.choices)
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=AftersalesReason.objects.filter(is_active=True))
    note = forms.CharField(label=_("Customer note"), max_length=500, required=False)
    images = MultipleImageField(
        label=_("Photos"), required=False, help_text=_("JPEG, PNG, GIF or WebP, at most 3 MB each.")
    )

    def __init__(self, *args, order, left, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_rows = []
        for line in order.lines.all():
            name = f"qty_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{line.sku_code} {line.name}",
                min_value=0,
                max_value=max(left.get(line.pk, 0), 0),
                initial=0,
                required=False,
                help_text=_("%(n)s of %(b)s can still be asked for.")
                % {"n": max(left.get(line.pk, 0), 0), "b": line.quantity},
            )
            self.line_rows.append((line, name))

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for _line, name in self.line_rows):
            raise forms.ValidationError(_("Enter a quantity for at least one line."))
        return data

    def lines(self) -> list[dict]:
        return [
            {"line": line.pk, "quantity": self.cleaned_data[name]}
            for line, name in self.line_rows
            if self.cleaned_data.get(name)
        ]


class ReasonForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Request kinds"),
        choices=AftersalesRequest.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every kind."),
    )

    class Meta:
        model = AftersalesReason
        fields = ["name", "code", "kinds", "freight_payer", "no_reason", "is_active", "position"]


class AutoRuleForm(forms.ModelForm):
    class Meta:
        model = AutoApprovalRule
        fields = ["name", "kind", "max_amount", "only_unshipped", "is_active", "position"]


class ExcludedCategoryForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.order_by("path"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AftersalesSettingsForm(forms.ModelForm):
    class Meta:
        model = StoreSettings
        fields = SETTING_FIELDS


# -- reviews ---------------------------------------------------------------------------------------------


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
        return queryset.filter(created_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=day_start(value + timedelta(days=1)))


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
