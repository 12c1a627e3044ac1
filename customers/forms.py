import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, CustomerTag
from shop.lists import FilterSet


class CustomerFilter(FilterSet):
    tags = django_filters.ModelChoiceFilter(queryset=CustomerTag.objects.all(), label=_("tag"))
    gender = django_filters.ChoiceFilter(choices=Customer.Gender.choices, label=_("gender"))
    source = django_filters.ChoiceFilter(choices=Customer.Source.choices, label=_("source"))
    blacklisted = django_filters.BooleanFilter(label=_("blacklisted"))

    class Meta:
        model = Customer
        fields = ["tags", "gender", "source", "blacklisted"]


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Customer.Gender.choices)
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    source = forms.ChoiceField(label=_("Source"), choices=Customer.Source.choices)
    blacklisted = forms.BooleanField(label=_("Blacklisted"), required=False)
    blacklist_reason = forms.CharField(label=_("Blacklist reason"), max_length=200, required=False)

    @classmethod
    def for_customer(cls, customer, data=None):
        return cls(data, initial={k: getattr(customer, k) for k in cls.base_fields})


class AddressForm(forms.Form):
    name = forms.CharField(label=_("Recipient"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    province = forms.CharField(label=_("Province"), max_length=30)
    city = forms.CharField(label=_("City"), max_length=30)
    district = forms.CharField(label=_("District"), max_length=30)
    detail = forms.CharField(label=_("Street address"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    is_default = forms.BooleanField(label=_("Default address"), required=False)

    @classmethod
    def for_address(cls, address, data=None):
        initial = {k: getattr(address, k) for k in cls.base_fields} if address else {}
        return cls(data, initial=initial)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"), max_length=700, required=False, help_text=_("Separate tags with commas or spaces.")
    )


class ErasureForm(forms.Form):
    confirm = forms.CharField(label=_("Customer number"), max_length=20)
    reason = forms.CharField(
        label=_("Request reference"),
        max_length=200,
        required=False,
        help_text=_("Where the customer asked to be erased (a ticket, a message, a call)."),
    )
