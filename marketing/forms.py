from django import forms
from django.utils.translation import gettext_lazy as _


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
