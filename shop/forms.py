import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.images import MAX_LOGO_BYTES
from shop.lists import FilterSet
from shop.models import MODULES, Announcement, ApiKey, AuditEntry, StoreSettings
from shop.roles import ROLE_LABELS

ROLE_CHOICES = list(ROLE_LABELS.items())
WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class StaffEditForm(forms.Form):
    first_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class StoreSettingsForm(forms.ModelForm):
    class Meta:
        model = StoreSettings
        exclude = ["business_hours", "logo"]

    # A plain file field: shop.images.image_check (in the service) decides what is an image, with its own messages.
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.instance.business_hours or []
        for day, label in enumerate(WEEKDAYS):
            row = hours[day] if day < len(hours) else {}
            self.fields[f"closed_{day}"] = forms.BooleanField(
                label=label, required=False, initial=row.get("closed", False)
            )
            self.fields[f"opens_{day}"] = forms.TimeField(
                required=False, initial=row.get("opens", "09:00"), widget=forms.TimeInput(attrs={"type": "time"})
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                required=False, initial=row.get("closes", "21:00"), widget=forms.TimeInput(attrs={"type": "time"})
            )

    def setting_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("closed_", "opens_", "closes_"))]

    def weekday_rows(self):
        return [
            (label, self[f"closed_{d}"], self[f"opens_{d}"], self[f"closes_{d}"]) for d, label in enumerate(WEEKDAYS)
        ]

    def clean_logo_upload(self):
        logo = self.cleaned_data.get("logo_upload")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is larger than 2 MB."))
        return logo

    def clean_time_zone(self):
        import zoneinfo

        value = self.cleaned_data["time_zone"]
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Unknown time zone."))
        return value

    def clean(self):
        cleaned = super().clean()
        hours = []
        for day, label in enumerate(WEEKDAYS):
            closed = cleaned.get(f"closed_{day}")
            opens, closes = cleaned.get(f"opens_{day}"), cleaned.get(f"closes_{day}")
            if not closed and (not opens or not closes or closes <= opens):
                self.add_error(f"opens_{day}", _("%(day)s: opening must be before closing.") % {"day": label})
            hours.append(
                {
                    "closed": bool(closed),
                    "opens": opens.strftime("%H:%M") if opens else "",
                    "closes": closes.strftime("%H:%M") if closes else "",
                }
            )
        cleaned["business_hours"] = hours
        if (
            cleaned.get("refund_escalate_hours") is not None
            and cleaned.get("refund_remind_hours") is not None
            and cleaned["refund_escalate_hours"] <= cleaned["refund_remind_hours"]
        ):
            self.add_error("refund_escalate_hours", _("Escalation must come after the reminder."))
        return cleaned

    def setting_values(self):
        """The validated values of the model's own fields."""
        return {
            f.name: self.cleaned_data[f.name]
            for f in StoreSettings._meta.fields
            if f.name in self.fields and f.name in self.cleaned_data
        }


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["title", "body", "starts_at", "ends_at", "published"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ends_at") and cleaned.get("starts_at") and cleaned["ends_at"] <= cleaned["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Who uses it, e.g. 小程序 storefront, ERP."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=ApiKey.SCOPES, widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Optional: the key stops working at this time. Empty: until revoked."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class AuditFilter(FilterSet):
    actor = django_filters.ModelChoiceFilter(label=_("Who"), queryset=get_user_model().objects.order_by("username"))
    module = django_filters.ChoiceFilter(label=_("Module"), choices=MODULES)
    object_repr = django_filters.CharFilter(label=_("Object"), lookup_expr="icontains")
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["actor", "module", "object_repr", "since", "until"]


class StaffFilter(FilterSet):
    role = django_filters.ChoiceFilter(label=_("Role"), choices=ROLE_CHOICES, field_name="groups__name")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = get_user_model()
        fields = ["role", "is_active"]
