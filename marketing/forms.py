from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import MemberTier
from marketing.models import Activity, Bundle, Coupon, CouponTemplate, Kind, MemberPrice, StackingRule, TimedDiscount
from marketing.models.promotions import Status
from shop.lists import FilterSet, IdFilter

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SCOPE_FIELDS = ["scope", "categories", "products", "excluded_products"]
WINDOW_FIELDS = ["name", "starts_at", "ends_at", "is_enabled", "exclusive", "priority"]


class StatusFilter(FilterSet):
    """Scheduled / running / ended / disabled, by the promotion's window."""

    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"), method="by_status")
    start_field, end_field = "starts_at", "ends_at"

    def by_status(self, queryset, name, value):
        from django.utils import timezone

        now = timezone.now()
        if value == Status.DISABLED:
            return queryset.filter(is_enabled=False)
        queryset = queryset.filter(is_enabled=True)
        if value == Status.SCHEDULED:
            return queryset.filter(**{f"{self.start_field}__gt": now})
        if value == Status.ENDED:
            return queryset.filter(**{f"{self.end_field}__lte": now})
        return queryset.filter(**{f"{self.start_field}__lte": now, f"{self.end_field}__gt": now})


class TimedFilter(StatusFilter):
    class Meta:
        model = TimedDiscount
        fields = ["status"]


class ActivityFilter(StatusFilter):
    mode = django_filters.ChoiceFilter(choices=Activity.Mode.choices, label=_("type"))

    class Meta:
        model = Activity
        fields = ["status", "mode"]


class CouponTemplateFilter(StatusFilter):
    start_field, end_field = "valid_from", "valid_until"
    type = django_filters.ChoiceFilter(choices=CouponTemplate.Type.choices, label=_("type"))

    class Meta:
        model = CouponTemplate
        fields = ["status", "type"]


class CouponFilter(FilterSet):
    template = django_filters.ModelChoiceFilter(queryset=CouponTemplate.objects.all(), label=_("coupon"))
    state = django_filters.ChoiceFilter(choices=Coupon.State.choices, label=_("status"))
    batch = django_filters.CharFilter(label=_("batch"))
    customer = IdFilter(field_name="customer_id")

    class Meta:
        model = Coupon
        fields = ["template", "state", "batch", "customer"]


class MemberPriceFilter(FilterSet):
    tier = django_filters.ModelChoiceFilter(queryset=MemberTier.objects.all(), label=_("member tier"))

    class Meta:
        model = MemberPrice
        fields = ["tier"]


def _widgets(*names):
    return {name: DATETIME for name in names}


class ScopedForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("categories", "products", "excluded_products"):
            if name in self.fields:
                self.fields[name].widget.attrs["size"] = 6
                self.fields[name].required = False


class TimedDiscountForm(ScopedForm):
    class Meta:
        model = TimedDiscount
        fields = [*WINDOW_FIELDS, "percent_off", *SCOPE_FIELDS]
        widgets = _widgets("starts_at", "ends_at")


class TiersField(forms.CharField):
    """ "200:20, 300:50" -> [["200", "20"], ["300", "50"]]."""

    def to_python(self, value):
        text = super().to_python(value)
        tiers = []
        for part in text.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
            part = part.strip().replace("：", ":")
            if not part:
                continue
            try:
                threshold, amount = (Decimal(x.strip()) for x in part.split(":"))
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(_("Write each tier as threshold:value, e.g. 200:20, 300:50.")) from None
            tiers.append([str(threshold), str(amount)])
        return tiers


class ActivityForm(ScopedForm):
    tiers = TiersField(
        label=_("Tiers"),
        help_text=_("threshold:value pairs, e.g. 200:20, 300:50 (满减: yuan off; 满件折: pieces:percent off)."),
    )

    class Meta:
        model = Activity
        fields = [*WINDOW_FIELDS, "mode", "tiers", *SCOPE_FIELDS]
        widgets = _widgets("starts_at", "ends_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tiers"] = ", ".join(f"{t}:{v}" for t, v in self.instance.tiers or [])


class CouponTemplateForm(ScopedForm):
    class Meta:
        model = CouponTemplate
        fields = [
            "name",
            "type",
            "amount",
            "percent_off",
            "cap",
            "min_spend",
            "valid_from",
            "valid_until",
            "valid_days",
            "total_quantity",
            "per_customer_limit",
            "claim_code",
            "is_enabled",
            "exclusive",
            "priority",
            *SCOPE_FIELDS,
        ]
        widgets = _widgets("valid_from", "valid_until")


class MemberPriceForm(forms.ModelForm):
    class Meta:
        model = MemberPrice
        fields = ["tier", "sku", "price"]

    def validate_unique(self):  # the service says it, beside the SKU
        pass


class StackingRuleForm(forms.ModelForm):
    combines_with = forms.MultipleChoiceField(
        label=_("Combines with"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StackingRule
        fields = ["kind", "combines_with", "priority", "note"]

    def validate_unique(self):
        pass


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=10_000)
    batch = forms.CharField(label=_("Batch name"), max_length=40, required=False)
    code_prefix = forms.CharField(label=_("Code prefix"), max_length=10, required=False)


class PreviewForm(forms.Form):
    phone = forms.CharField(label=_("Customer mobile phone"), max_length=20, required=False)
    lines = forms.CharField(
        label=_("SKUs and quantities"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line each: SKU code and quantity, e.g. TEE-W-M 2"),
    )
    coupon_code = forms.CharField(label=_("Coupon code"), max_length=40, required=False)

    def clean_lines(self):
        return sku_lines(self.cleaned_data["lines"])


def sku_lines(text, limit=100):
    """ "TEE-W-M 2" per line -> [("TEE-W-M", 2)]; a missing quantity is 1."""
    items = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.replace(",", " ").replace("×", " ").split()
        if not parts:
            continue
        quantity = parts[1] if len(parts) > 1 else "1"
        if len(parts) > 2 or not quantity.isdigit() or not 1 <= int(quantity) <= 9999:
            message = _("Line %(n)s: write the SKU code and a quantity from 1 to 9999.")
            raise forms.ValidationError(message % {"n": number})
        items.append((parts[0], int(quantity)))
    if not items:
        raise forms.ValidationError(_("Add at least one line."))
    if len(items) > limit:
        raise forms.ValidationError(_("At most %(n)s lines.") % {"n": limit})
    return items


def _when(label):
    return forms.DateTimeField(
        label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class FlashSessionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))


class FlashItemForm(forms.Form):
    sku = forms.CharField(label=_("SKU code"), max_length=64)
    sale_price = forms.DecimalField(label=_("Sale price"), max_digits=14, decimal_places=2, min_value=0)
    quantity = forms.IntegerField(
        label=_("Sale quantity"), min_value=1, help_text=_("Held apart from normal stock until the session ends.")
    )
    per_customer_limit = forms.IntegerField(label=_("Limit per customer"), min_value=1, initial=1)


class GroupBuyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    sku = forms.CharField(label=_("SKU code"), max_length=64)
    group_size = forms.IntegerField(label=_("Group size"), min_value=2, max_value=100, initial=2)
    group_price = forms.DecimalField(label=_("Group price"), max_digits=14, decimal_places=2, min_value=0)
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    fill_hours = forms.IntegerField(
        label=_("Hours to fill a group"),
        min_value=1,
        max_value=720,
        initial=24,
        help_text=_("A group fails, and its paid members are refunded, when it is not full this long after it opens."),
    )


# -- bundles (套餐) ----------------------------------------------------------------------------------
class BundleFilter(StatusFilter):
    class Meta:
        model = Bundle
        fields = ["status"]


class BundleForm(forms.ModelForm):
    items = forms.CharField(
        label=_("SKUs and quantities"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line each: SKU code and quantity, e.g. TEE-W-M 2"),
    )

    class Meta:
        model = Bundle
        fields = [*WINDOW_FIELDS, "price", "items"]
        widgets = _widgets("starts_at", "ends_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["items"] = "\n".join(
                f"{i.sku.code} {i.quantity}" for i in self.instance.items.select_related("sku")
            )

    def clean_items(self):
        from catalog.models import Sku

        lines = sku_lines(self.cleaned_data["items"], limit=50)
        found = {s.code: s for s in Sku.objects.filter(code__in=[code for code, _q in lines])}
        missing = [code for code, _q in lines if code not in found]
        if missing:
            raise forms.ValidationError(_("Unknown SKU: %(codes)s") % {"codes": ", ".join(missing[:5])})
        return [(found[code], quantity) for code, quantity in lines]
