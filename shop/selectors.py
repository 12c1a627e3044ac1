"""Reads of store-wide data."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone

from shop.cached import cached
from shop.models import Announcement, ApiKey, AuditEntry, Notification, StoreSettings

STORE_SETTINGS_KEY = "shop.store_settings"


def store_settings() -> StoreSettings:
    """The store's settings row, created with defaults on first use; cached (shop.cached) and dropped on
    save (shop.apps). Read it, don't save this copy: a writer reads the row with `store_settings_row()`."""
    return cached(STORE_SETTINGS_KEY, store_settings_row)


def store_settings_row() -> StoreSettings:
    """The settings row from the database (for a writer)."""
    settings, _created = StoreSettings.objects.get_or_create(pk=1)
    return settings


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user):
    return Notification.objects.filter(recipient=user)


def current_announcements(now=None):
    now = now or timezone.now()
    return Announcement.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), published=True, starts_at__lte=now)


def announcements():
    return Announcement.objects.select_related("created_by")


def staff_users():
    from django.contrib.auth.models import Group

    return get_user_model().objects.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


def staff_with_perm(perm: str):
    """Active staff whose role (or own grant) holds `perm`, superusers included, by username: who a queue may be
    assigned to (customers' inbox, after-sales requests, complaints)."""
    return (
        get_user_model()
        .objects.with_perm(perm, include_superusers=True, backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True)
        .order_by("username")
    )


def audit_entries():
    return AuditEntry.objects.select_related("actor", "content_type")


def audit_for_object(obj):
    from django.contrib.contenttypes.models import ContentType

    return audit_entries().filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


def api_keys():
    return ApiKey.objects.select_related("created_by")
