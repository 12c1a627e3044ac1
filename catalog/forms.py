"""Forms parse input into Python values; the rules live in catalog.services."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from catalog.models import MONEY, AttributeValue, Category, Product, Tag
from catalog.transfer import FormatError, upload_check
from shop.lists import FastSelect


class CategoryChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield "", self.field.empty_label
        for pk, name, depth in self.queryset.order_by("path").values_list("pk", "name", "depth"):
            yield pk, "— " * (depth - 1) + name


class CategoryChoiceField(forms.ModelChoiceField):
    """A category picked from the whole tree, indented by depth."""

    widget = FastSelect
    iterator = CategoryChoiceIterator

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=Category.objects.all() if queryset is None else queryset, **kwargs)


class RichTextarea(forms.Textarea):
    """A plain textarea of HTML that catalog/editor.js turns into a Quill editor (vendored in
    static/vendor/quill, no inline script or style, so it runs under our CSP). Without JavaScript the
    textarea itself is the editor; either way the HTML is sanitised by the service (nh3) on save."""

    class Media:
        css = {"all": ["vendor/quill/quill.snow.css", "catalog/editor.css"]}
        js = ["vendor/quill/quill.min.js", "catalog/editor.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The heading picker's labels (Quill shows data-label; its own are English).
        context["widget"]["attrs"].update(
            {"data-label-normal": _("Body text"), "data-label-h2": _("Heading"), "data-label-h3": _("Subheading")}
        )
        return context

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "data-rich-text": "", **(attrs or {})})


class ProductForm(forms.ModelForm):
    category = CategoryChoiceField(label=_("category"), required=False)
    tags = forms.ModelMultipleChoiceField(
        Tag.objects.all(), label=_("tags"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "subtitle",
            "category",
            "brand",
            "tags",
            "keywords",
            "description",
            "weight_g",
            "length_mm",
            "width_mm",
            "height_mm",
            "no_reason_returns",
            "exchange_only",
        ]
        widgets = {"description": RichTextarea()}


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    parent = CategoryChoiceField(label=_("parent category"), required=False)
    is_visible = forms.BooleanField(label=_("visible"), required=False, initial=True)


class CategoryMoveForm(forms.Form):
    POSITIONS = [
        ("last-child", _("as the last subcategory of")),
        ("first-child", _("as the first subcategory of")),
        ("left", _("just before")),
        ("right", _("just after")),
    ]
    position = forms.ChoiceField(label=_("position"), choices=POSITIONS)
    target = CategoryChoiceField(label=_("category"))


class NamedForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)


class AttributeValuesForm(forms.Form):
    values = forms.CharField(
        label=_("new values"), help_text=_("Separate values with commas: 红, 蓝, 黑"), max_length=1000
    )

    def clean_values(self):
        return [v for v in self.cleaned_data["values"].replace("，", ",").split(",") if v.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(attrs={"accept": "image/*"}), **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImagesForm(forms.Form):
    images = MultipleFileField(label=_("images"))


class MatrixForm(forms.Form):
    values = forms.ModelMultipleChoiceField(
        AttributeValue.objects.select_related("definition"),
        label=_("attribute values"),
        widget=forms.CheckboxSelectMultiple,
    )
    price = forms.DecimalField(label=_("price"), **MONEY)


class SkuRowForm(forms.Form):
    """One row of the SKU grid; the service checks the rows together."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(label=_("SKU code"), max_length=64, required=False)
    barcode = forms.CharField(label=_("barcode"), max_length=64, required=False)
    price = forms.DecimalField(label=_("price"), required=False, **MONEY)
    compare_at_price = forms.DecimalField(label=_("compare-at price"), required=False, **MONEY)
    cost = forms.DecimalField(label=_("cost"), required=False, **MONEY)
    weight_g = forms.IntegerField(label=_("weight (g)"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    values = forms.ModelMultipleChoiceField(
        AttributeValue.objects.select_related("definition"), label=_("attribute values"), required=False
    )

    def __init__(self, *args, value_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["values"].choices = value_choices

    def row(self):
        data = dict(self.cleaned_data)
        data["pk"], data["values"] = data.pop("id"), list(data["values"])
        return data

    @staticmethod
    def initial_for(sku):
        return {
            "id": sku.pk,
            "code": sku.code,
            "barcode": sku.barcode,
            "price": sku.price,
            "cost": sku.cost,
            "compare_at_price": sku.compare_at_price,
            "weight_g": sku.weight_g,
            "is_active": sku.is_active,
            "values": [v.pk for v in sku.attribute_values.all()],
        }


SkuFormSet = forms.formset_factory(SkuRowForm, extra=1)


class PublishForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("publish at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    unpublish_at = forms.DateTimeField(
        label=_("unpublish at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("CSV (UTF-8) or XLSX, in the format of the export."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        try:
            upload_check(upload)  # a zip bomb or too many rows: refused here, on the form, before it is kept
        except FormatError as e:
            raise forms.ValidationError(str(e)) from e
        return upload


class BulkForm(forms.Form):
    """The extra inputs of the product list's bulk actions (rendered beside the action menu)."""

    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
    category = CategoryChoiceField(label=_("category"), required=False, empty_label=_("Category…"))
    tag = forms.ModelChoiceField(Tag.objects.all(), label=_("tag"), required=False, empty_label=_("Tag…"))


class PriceChangeForm(forms.Form):
    mode = forms.ChoiceField(label=_("change by"), choices=[("percent", _("percent")), ("amount", _("amount (¥)"))])
    amount = forms.DecimalField(
        label=_("amount"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Negative to lower prices: -10 is 10% (or ¥10) cheaper."),
    )


def _flag(value):
    return value.strip().lower() in ("1", "true", "yes", "y", "是")


class ImportRow(forms.Form):
    """The fields of one line of an import file; booleans are 1/0, blanks keep the defaults."""

    product_code = forms.CharField(max_length=64)
    name = forms.CharField(max_length=200)
    subtitle = forms.CharField(max_length=200, required=False)
    category = forms.CharField(required=False)
    brand = forms.CharField(max_length=100, required=False)
    tags = forms.CharField(required=False)
    keywords = forms.CharField(max_length=500, required=False)
    description = forms.CharField(required=False, strip=False)
    weight_g = forms.IntegerField(min_value=0, required=False)
    length_mm = forms.IntegerField(min_value=0, required=False)
    width_mm = forms.IntegerField(min_value=0, required=False)
    height_mm = forms.IntegerField(min_value=0, required=False)
    no_reason_returns = forms.CharField(required=False)
    exchange_only = forms.CharField(required=False)
    sku_code = forms.CharField(max_length=64)
    barcode = forms.CharField(max_length=64, required=False)
    price = forms.DecimalField(**MONEY)
    compare_at_price = forms.DecimalField(required=False, **MONEY)
    cost = forms.DecimalField(required=False, **MONEY)
    sku_weight_g = forms.IntegerField(min_value=0, required=False)
    options = forms.CharField(required=False)
    sku_active = forms.CharField(required=False)

    @classmethod
    def parse(cls, raw: dict) -> tuple[dict | None, str]:
        """(values, "") or (None, the problems) for one line, without building a form per line."""
        data, errors = {}, []
        for name, field in cls.base_fields.items():
            try:
                data[name] = field.clean(raw.get(name, ""))
            except forms.ValidationError as e:
                errors.append(f"{name}: {' '.join(e.messages)}")
        if errors:
            return None, "; ".join(errors)
        for name, default in (("no_reason_returns", "1"), ("exchange_only", "0"), ("sku_active", "1")):
            data[name] = _flag(data[name] or default)
        for name in ("weight_g", "length_mm", "width_mm", "height_mm", "sku_weight_g"):
            data[name] = data[name] or 0
        return data, ""
