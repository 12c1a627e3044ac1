from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import BlacklistEntry, PaymentMethod, RiskRule

MAX_STATEMENT_BYTES = 5 * 1024 * 1024


class PaymentMethodForm(forms.ModelForm):
    class Meta:
        model = PaymentMethod
        fields = list(PaymentMethod.EDITABLE)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and low < 0:
            self.add_error("min_amount", _("Enter zero or more."))
        if low is not None and high is not None and high < low:
            self.add_error("max_amount", _("The maximum must not be below the minimum."))
        for name in ("daily_limit", "fee_fixed"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Enter zero or more."))
        percent = data.get("fee_percent")
        if percent is not None and not (0 <= percent < 100):
            self.add_error("fee_percent", _("The fee must be between 0 and 100 percent."))
        return data


class RefundRequestForm(forms.Form):
    """A full refund, a partial amount, or quantities per order line."""

    KINDS = [
        ("full", _("Full refund")),
        ("amount", _("Partial: an amount")),
        ("lines", _("Partial: by line")),
    ]
    kind = forms.ChoiceField(label=_("Refund"), choices=KINDS, initial="full", widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    refund_only = forms.BooleanField(label=_("Refund only, no goods returned"), required=False, initial=True)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = list(lines)
        for line in self.order_lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku_code} {line.name} (× {line.quantity})",
                min_value=0,
                max_value=line.quantity,
                required=False,
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "amount" and not data.get("amount"):
            self.add_error("amount", _("Enter the amount to refund."))
        if data.get("kind") == "lines" and not self.line_quantities():
            raise forms.ValidationError(_("Enter a quantity for at least one line."))
        return data

    def line_quantities(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {line.pk: data[f"line_{line.pk}"] for line in self.order_lines if data.get(f"line_{line.pk}")}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        args = {"reason": data["reason"], "refund_only": data["refund_only"]}
        if data["kind"] == "amount":
            args["amount"] = data["amount"]
        elif data["kind"] == "lines":
            args["lines"] = self.line_quantities()
        return args


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RiskRuleForm(forms.ModelForm):
    class Meta:
        model = RiskRule
        fields = ["is_enabled", "weight", "threshold", "window_minutes"]

    def clean_threshold(self):
        value = self.cleaned_data["threshold"]
        if value < 0:
            raise forms.ValidationError(_("Enter zero or more."))
        return value


class RiskSettingsForm(forms.Form):
    hold_score = forms.IntegerField(label=_("Hold orders scoring at least"), min_value=1, max_value=1000)


class BlacklistForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BlacklistEntry.Kind.choices)
    value = forms.CharField(label=_("Phone or address"), max_length=300)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReconciliationForm(forms.Form):
    method = forms.ModelChoiceField(label=_("Payment method"), queryset=PaymentMethod.objects.order_by("position"))
    day = forms.DateField(label=_("Statement day"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("Statement (CSV: transaction_id, amount)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
