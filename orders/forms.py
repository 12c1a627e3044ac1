from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from orders.models import Carrier, DispatchRule, FreightTemplate, Order

MONEY_LIMITS = [MinValueValidator(Decimal("-999999999")), MaxValueValidator(Decimal("999999999"))]


class ShipForm(forms.Form):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.filter(is_active=True))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None and order.preferred_carrier_id:
            self.fields["carrier"].initial = order.preferred_carrier_id


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AddressForm(forms.Form):
    name = forms.CharField(label=_("Recipient"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    province = forms.CharField(label=_("Province"), max_length=30)
    city = forms.CharField(label=_("City"), max_length=30)
    district = forms.CharField(label=_("District"), max_length=30)
    detail = forms.CharField(label=_("Street address"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)

    @classmethod
    def for_order(cls, order, data=None):
        initial = {k: getattr(order, f"ship_{k}") for k in cls.base_fields}
        return cls(data, initial=initial)


class PriceForm(forms.Form):
    adjustment = forms.DecimalField(
        label=_("Adjustment"),
        max_digits=14,
        decimal_places=2,
        validators=MONEY_LIMITS,
        help_text=_("Added to the goods and shipping; negative for a reduction."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Order.Abnormal.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("How it was resolved"), max_length=200, required=False)


class TrackingEventForm(forms.Form):
    description = forms.CharField(label=_("Update"), max_length=300)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)


class ShipCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns: order number, carrier code, tracking number (a header row is fine).")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("Save the file as UTF-8 or GBK CSV."))


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["name", "code", "tracking_pattern", "tracking_url", "is_active"]


class FreightTemplateForm(forms.ModelForm):
    regions = forms.CharField(
        label=_("Province overrides"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: provinces; first fee; additional fee — e.g. 广东,广西; 8; 3"),
    )

    class Meta:
        model = FreightTemplate
        fields = [
            "name",
            "basis",
            "first_units",
            "first_fee",
            "additional_units",
            "additional_fee",
            "free_over",
            "remote_provinces",
            "remote_surcharge",
            "is_default",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_units", "first_fee", "additional_units", "additional_fee", "free_over", "remote_surcharge"):
            self.fields[name].validators.append(MinValueValidator(0))
        if self.instance.pk and not self.is_bound:
            self.initial["regions"] = "\n".join(
                f"{r.provinces}; {r.first_fee}; {r.additional_fee}" for r in self.instance.regions.all()
            )

    def clean_regions(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["regions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("；", ";").split(";")]
            try:
                provinces, first, additional = parts
                first, additional = Decimal(first), Decimal(additional)
                if (
                    not provinces
                    or not first.is_finite()
                    or not additional.is_finite()
                    or min(first, additional) < 0
                    or max(first, additional) > Decimal("999999")
                ):
                    raise ValueError
            except (ValueError, ArithmeticError):
                raise forms.ValidationError(
                    _("Line %(n)s: write provinces; first fee; additional fee.") % {"n": n}
                ) from None
            rows.append(
                {
                    "provinces": provinces[:300],
                    "first_fee": first.quantize(Decimal("0.01")),
                    "additional_fee": additional.quantize(Decimal("0.01")),
                }
            )
        return rows


class DispatchRuleForm(forms.ModelForm):
    class Meta:
        model = DispatchRule
        fields = [
            "name",
            "position",
            "is_active",
            "provinces",
            "channel",
            "payment_method",
            "min_total",
            "carrier",
            "priority_boost",
            "hold",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority_boost"].validators += [MinValueValidator(-1000), MaxValueValidator(1000)]
        self.fields["priority_boost"].help_text = _("Hours the order moves up the work queues.")
        self.fields["min_total"].validators.append(MinValueValidator(0))
        self.fields["position"].validators.append(MaxValueValidator(100000))
