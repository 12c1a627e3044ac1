from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.models import (
    Customer,
    CustomerAddress,
    CustomerMessage,
    CustomerTag,
    InteractionNote,
    MemberTier,
    PointsEntry,
    RfmSegment,
    Segment,
)
from customers.selectors import segment_members
from shop.china import PROVINCE_SUFFIXES, PROVINCES, province_key
from shop.dates import day_start
from shop.lists import FilterSet, IdFilter

MONEY_MAX = 999_999_999_999


def _money_filter(label, field, lookup):
    return django_filters.NumberFilter(
        label=label,
        field_name=field,
        lookup_expr=lookup,
        min_value=0,
        max_value=MONEY_MAX,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "short"}),
    )


class CustomerFilter(FilterSet):
    tags = django_filters.ModelChoiceFilter(queryset=CustomerTag.objects.all(), label=_("tag"))
    tier = django_filters.ModelChoiceFilter(
        queryset=MemberTier.objects.order_by("-rank"), label=_("member tier"), null_label=_("No tier")
    )
    rfm_segment = django_filters.ChoiceFilter(choices=RfmSegment.choices, label=_("RFM segment"))
    province = django_filters.ChoiceFilter(
        label=_("province"), choices=[(p, p) for p in PROVINCES], method="filter_province"
    )
    gender = django_filters.ChoiceFilter(choices=Customer.Gender.choices, label=_("gender"))
    source = django_filters.ChoiceFilter(choices=Customer.Source.choices, label=_("source"))
    spend_12m_min = _money_filter(_("12-month spend from"), "spend_12m", "gte")
    spend_12m_max = _money_filter(_("to"), "spend_12m", "lte")
    spend_min = _money_filter(_("lifetime spend from"), "lifetime_spend", "gte")
    spend_max = _money_filter(_("to"), "lifetime_spend", "lte")
    last_order_from = django_filters.DateFilter(
        label=_("last order from"), method="filter_last_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    last_order_to = django_filters.DateFilter(
        label=_("to"), method="filter_last_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    blacklisted = django_filters.BooleanFilter(label=_("blacklisted"))
    segment = django_filters.ModelChoiceFilter(
        queryset=Segment.objects.order_by("name"), label=_("segment"), method="filter_segment"
    )

    class Meta:
        model = Customer
        fields = ["tags", "tier", "rfm_segment", "gender", "source", "blacklisted"]

    def filter_province(self, queryset, name, value):
        """Customers whose default address is in the province ('广东' finds '广东省')."""
        key = province_key(value)
        names = [key, *(key + suffix for suffix in PROVINCE_SUFFIXES)]  # equality: customers_default_province
        default = CustomerAddress.objects.filter(customer=OuterRef("pk"), is_default=True, province__in=names)
        return queryset.filter(Exists(default))

    def filter_last_from(self, queryset, name, value):
        return queryset.filter(last_order_at__gte=day_start(value))

    def filter_last_to(self, queryset, name, value):
        return queryset.filter(last_order_at__lt=day_start(value + timedelta(days=1)))

    def filter_segment(self, queryset, name, value):
        """A saved segment's members as last counted (`?segment=<id>`): an indexed join, keyset-fast."""
        return segment_members(value, queryset)


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


class TierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=0,
        max_value=32767,
        help_text=_("Higher ranks are better tiers; each tier has its own."),
    )
    threshold_kind = forms.ChoiceField(label=_("Reached by"), choices=MemberTier.ThresholdKind.choices)
    threshold = forms.DecimalField(
        label=_("Threshold"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("12-month spend in yuan, or a number of orders in 12 months."),
    )
    discount_percent = forms.DecimalField(
        label=_("Member discount (percent off)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    free_shipping = forms.BooleanField(label=_("Free shipping"), required=False)
    points_multiplier = forms.DecimalField(
        label=_("Points multiplier"), min_value=0, max_value=10, max_digits=4, decimal_places=2, initial=1
    )
    birthday_points = forms.IntegerField(label=_("Birthday gift (points)"), min_value=0, initial=0)

    @classmethod
    def for_tier(cls, tier, data=None):
        initial = {k: getattr(tier, k) for k in cls.base_fields} if tier else None
        return cls(data, initial=initial)


DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class PointsFilter(FilterSet):
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    kind = django_filters.ChoiceFilter(choices=PointsEntry.Kind.choices, label=_("kind"))
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte", **DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte", **DATE)

    class Meta:
        model = PointsEntry
        fields = ["customer", "kind", "since", "until"]


class PointsAdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text=_("A negative number takes points away."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ErasureForm(forms.Form):
    confirm = forms.CharField(label=_("Customer number"), max_length=20)
    reason = forms.CharField(
        label=_("Request reference"),
        max_length=200,
        required=False,
        help_text=_("Where the customer asked to be erased (a ticket, a message, a call)."),
    )


# -- CRM: notes and the inbox ---------------------------------------------------------------------------
def _staff_choices():
    from customers.services import assignable_staff

    return assignable_staff()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionNote.Kind.choices)
    text = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_at = forms.DateTimeField(
        label=_("Follow up at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The assignee is reminded when it is due."),
    )
    assignee = StaffChoiceField(label=_("Assignee"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices()


class MessageFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CustomerMessage.Status.choices)
    assignee = django_filters.ModelChoiceFilter(label=_("Assignee"), queryset=None, method="filter_assignee")
    sla_breached = django_filters.BooleanFilter(
        label=_("SLA breached"), field_name="sla_breached_at", lookup_expr="isnull", exclude=True
    )
    waiting = django_filters.BooleanFilter(label=_("Waiting for an answer"), method="filter_waiting")
    received_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = IdFilter(label=_("Customer"), field_name="customer_id")

    class Meta:
        model = CustomerMessage
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].queryset = _staff_choices()

    def filter_assignee(self, queryset, name, value):
        return queryset.filter(assignee=value)

    def filter_waiting(self, queryset, name, value):
        from customers.selectors import WAITING_STATUSES

        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=WAITING_STATUSES)
        return queryset.exclude(status__in=WAITING_STATUSES)

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        from datetime import timedelta

        return queryset.filter(created_at__lt=day_start(value + timedelta(days=1)))


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_choices()


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(
        label=_("Send by"),
        required=False,
        choices=[
            ("", _("The customer's channel (SMS to a mobile, else email)")),
            ("sms", _("SMS")),
            ("email", _("Email")),
        ],
    )


# -- segments (客户分群) ------------------------------------------------------------------------------
def _checkboxes(choices, label):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple)


class SegmentForm(forms.Form):
    """The rule builder. Fields are loose on purpose (numbers as text, any choice id): the service's
    `clean_rules` is the one validator, and its messages land beside these fields (shop.web.form_submit)."""

    name = forms.CharField(label=_("Segment name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    spend_12m_min = forms.CharField(label=_("12-month spend from (¥)"), max_length=20, required=False)
    spend_12m_max = forms.CharField(label=_("12-month spend to (¥)"), max_length=20, required=False)
    lifetime_spend_min = forms.CharField(label=_("Lifetime spend from (¥)"), max_length=20, required=False)
    lifetime_spend_max = forms.CharField(label=_("Lifetime spend to (¥)"), max_length=20, required=False)
    order_count_min = forms.CharField(label=_("Orders from"), max_length=12, required=False)
    order_count_max = forms.CharField(label=_("Orders to"), max_length=12, required=False)
    last_order_mode = forms.ChoiceField(
        label=_("Last order"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("within", _("Within the last N days")),
            ("before", _("Before a date")),
            ("between", _("Between two dates")),
        ],
    )
    last_order_days = forms.CharField(label=_("Within the last (days)"), max_length=12, required=False)
    last_order_date = forms.CharField(
        label=_("Last order before"), max_length=10, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_order_from = forms.CharField(
        label=_("Last order from"), max_length=10, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_order_to = forms.CharField(
        label=_("Last order to"), max_length=10, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tiers = forms.MultipleChoiceField(label=_("Member tiers"), required=False, widget=forms.CheckboxSelectMultiple)
    tags = forms.MultipleChoiceField(label=_("Tags"), required=False, widget=forms.CheckboxSelectMultiple)
    tags_match = forms.ChoiceField(
        label=_("Tags match"),
        required=False,
        choices=[("any", _("Any of the tags")), ("all", _("All of the tags"))],
    )
    provinces = forms.MultipleChoiceField(
        label=_("Province (default address)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    rfm_segments = _checkboxes(RfmSegment.choices, _("RFM segments"))
    birthday_months = _checkboxes([], _("Birthday month"))
    genders = _checkboxes(Customer.Gender.choices, _("Gender"))
    sources = _checkboxes(Customer.Source.choices, _("Source"))

    RANGES = ("spend_12m", "lifetime_spend", "order_count")
    LISTS = ("tiers", "provinces", "rfm_segments", "birthday_months", "genders", "sources")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["tiers"].choices = [(t.pk, t.name) for t in MemberTier.objects.order_by("rank")]
        self.fields["tags"].choices = [(t.pk, t.name) for t in CustomerTag.objects.order_by("name")[:500]]
        self.fields["provinces"].choices = [(p, p) for p in PROVINCES]
        self.fields["birthday_months"].choices = [(m, gettext("Month %(m)s") % {"m": m}) for m in range(1, 13)]
        if data is not None:  # an unknown id is the service's to refuse, with its own message
            for name in ("tiers", "tags", "provinces"):
                posted = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
                known = {str(v) for v, _label in self.fields[name].choices}
                self.fields[name].choices += [(v, v) for v in posted if str(v) not in known]

    @classmethod
    def for_segment(cls, segment, data=None):
        if segment is None:
            return cls(data, initial={"tags_match": "any"})
        initial = {"name": segment.name, "description": segment.description, **rules_initial(segment.rules)}
        return cls(data, initial=initial)

    def rules(self) -> dict:
        """The posted rules in the JSON shape of customers.services.clean_rules (not yet validated)."""
        data = self.cleaned_data
        rules: dict = {}
        for key in self.RANGES:
            bounds = {b: data[f"{key}_{b}"].strip() for b in ("min", "max") if data.get(f"{key}_{b}", "").strip()}
            if bounds:
                rules[key] = bounds
        mode = data.get("last_order_mode")
        if mode == "within":
            rules["last_order"] = {"mode": mode, "days": data.get("last_order_days")}
        elif mode == "before":
            rules["last_order"] = {"mode": mode, "date": data.get("last_order_date")}
        elif mode == "between":
            rules["last_order"] = {"mode": mode, "from": data.get("last_order_from"), "to": data.get("last_order_to")}
        for key in self.LISTS:
            if data.get(key):
                rules[key] = list(data[key])
        if data.get("tags"):
            rules["tags"] = {"match": data.get("tags_match") or "any", "ids": list(data["tags"])}
        return rules


def rules_initial(rules) -> dict:
    """The form's initial values for saved rules (the inverse of SegmentForm.rules)."""
    initial: dict = {"tags_match": "any"}
    for key in SegmentForm.RANGES:
        for bound in ("min", "max"):
            if bound in rules.get(key, {}):
                initial[f"{key}_{bound}"] = str(rules[key][bound])
    last = rules.get("last_order")
    if last:
        initial["last_order_mode"] = last["mode"]
        initial.update(
            {f"last_order_{k}": v for k, v in last.items() if k != "mode"}
            if last["mode"] != "before"
            else {"last_order_date": last["date"]}
        )
    for key in SegmentForm.LISTS:
        if key in rules:
            initial[key] = [str(v) for v in rules[key]]
    if "tags" in rules:
        initial["tags"] = [str(v) for v in rules["tags"]["ids"]]
        initial["tags_match"] = rules["tags"]["match"]
    return initial
