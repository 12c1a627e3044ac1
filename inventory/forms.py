from django import forms
from django.utils.translation import gettext_lazy as _

from inventory import selectors
from inventory.models import LowStockRule, ReplenishmentRule, Supplier, Warehouse
from shop.errors import DomainError
from shop.money import parse_money


class SkuField(forms.CharField):
    """A SKU typed (or scanned) by its code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SKU code"))
        super().__init__(max_length=64, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        sku = selectors.sku_by_code(code) if code else None
        if code and sku is None:
            raise forms.ValidationError(_("No SKU has the code %(code)s.") % {"code": code})
        return sku


def _warehouse_field(label=None):
    label = label or _("Warehouse")
    return forms.ModelChoiceField(label=label, queryset=selectors.active_warehouses())


class StockReceiveForm(forms.Form):
    sku = SkuField()
    warehouse = _warehouse_field()
    quantity = forms.IntegerField(label=_("Quantity"))
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for goods that do not expire."),
    )
    reference = forms.CharField(label=_("Delivery note"), max_length=64, required=False)
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class StockAdjustForm(forms.Form):
    sku = SkuField()
    warehouse = _warehouse_field()
    quantity = forms.IntegerField(label=_("Change"), help_text=_("Negative to remove units, e.g. -2."))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class StockTransferForm(forms.Form):
    sku = SkuField()
    source = _warehouse_field(_("From"))
    destination = _warehouse_field(_("To"))
    quantity = forms.IntegerField(label=_("Quantity"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = ["name", "code", "province", "city", "priority", "is_active"]


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "contact_name", "phone", "email", "lead_time_days", "is_active"]


class SupplierSkuForm(forms.Form):
    sku = SkuField()
    cost = forms.DecimalField(label=_("Cost"), max_digits=14, decimal_places=2, min_value=0)


class LowStockRuleForm(forms.Form):
    sku = SkuField()
    kind = forms.ChoiceField(label=_("Kind"), choices=LowStockRule.Kind.choices)
    value = forms.IntegerField(
        label=_("Threshold"),
        min_value=0,
        help_text=_("Units available, or days of cover at the last 30 days' sales."),
    )


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    warehouse = _warehouse_field(_("Deliver to"))
    lines = forms.CharField(
        label=_("Lines"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_('One line per SKU: code, quantity and optionally unit cost, e.g. "TS-001 50 35.00".'),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_lines(self):
        lines, errors = [], []
        for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = text.replace(",", " ").split()
            if not parts:
                continue
            sku = selectors.sku_by_code(parts[0])
            try:
                quantity = int(parts[1]) if len(parts) > 1 else 0
                cost = parse_money(parts[2]) if len(parts) > 2 else None  # half-up to the cent, or refused
            except (ValueError, DomainError):
                quantity = 0
            if sku is None or quantity <= 0 or len(parts) > 3 or (cost is not None and cost < 0):
                errors.append(_("Line %(n)s: %(text)s") % {"n": number, "text": text.strip()})
            else:
                lines.append((sku, quantity, cost))
        if errors:
            raise forms.ValidationError([_("These lines need a known SKU code and a quantity above zero:")] + errors)
        if not lines:
            raise forms.ValidationError(_("Add at least one line."))
        return lines


class LineQuantitiesForm(forms.Form):
    """One whole-number field per line of a document (a purchase order, a stocktake)."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=self.line_label(line), min_value=0, required=False, initial=self.line_initial(line)
            )
        self.order_fields([f"line_{line.pk}" for line in self.lines])

    def rows(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def quantities(self):
        return {line: self.cleaned_data.get(f"line_{line.pk}") for line in self.lines}


class PurchaseOrderReceiveForm(LineQuantitiesForm):
    """Quantities received per line, each with an optional expiry date for the batch it opens."""

    confirm_over = forms.BooleanField(label=_("Yes, receive more than ordered"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = []
        for line in self.lines:
            self.fields[f"expires_{line.pk}"] = forms.DateField(
                label=_("%(sku)s expiry date") % {"sku": line.sku.code},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            order += [f"line_{line.pk}", f"expires_{line.pk}"]
        self.order_fields(order)

    def expiries(self):
        return {line: self.cleaned_data.get(f"expires_{line.pk}") for line in self.lines}

    def line_label(self, line):
        return f"{line.sku.code} ({line.received}/{line.quantity})"

    def line_initial(self, line):
        return line.outstanding


class StocktakeCountForm(LineQuantitiesForm):
    def line_label(self, line):
        return line.sku.code

    def line_initial(self, line):
        return line.counted


class StocktakeForm(forms.Form):
    warehouse = _warehouse_field()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReplenishmentRuleForm(forms.Form):
    sku = SkuField()
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ReplenishmentRule.Kind.choices,
        initial=ReplenishmentRule.Kind.FIXED,
        required=False,
    )
    reorder_point = forms.IntegerField(
        label=_("Reorder point"), min_value=0, max_value=10**9, required=False, help_text=_("Fixed rules.")
    )
    order_up_to = forms.IntegerField(
        label=_("Order up to"), min_value=1, max_value=10**9, required=False, help_text=_("Fixed rules.")
    )
    window_days = forms.IntegerField(
        label=_("Sales window (days)"),
        min_value=1,
        max_value=365,
        initial=28,
        required=False,
        help_text=_("Forecast rules: daily sales are the average over these days, times the supplier's lead time."),
    )
    safety_stock = forms.IntegerField(
        label=_("Safety stock"),
        min_value=0,
        max_value=10**9,
        initial=0,
        required=False,
        help_text=_("Forecast rules."),
    )
    pack_size = forms.IntegerField(label=_("Pack size"), min_value=1, max_value=10**6, initial=1)

    def clean_kind(self):
        return self.cleaned_data["kind"] or ReplenishmentRule.Kind.FIXED
