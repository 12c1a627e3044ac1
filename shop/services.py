"""Store-wide write use cases: staff, store settings, announcements, notifications, API keys."""

import hashlib
import secrets
from functools import partial

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.audit import record, snapshot
from shop.errors import DomainError, NotFound
from shop.images import MAX_LOGO_BYTES, image_check
from shop.models import Announcement, ApiKey, Notification
from shop.roles import ADMIN_ROLES, OWNER, ROLE_RULES
from shop.selectors import store_settings_row

User = get_user_model()
STAFF_FIELDS = ["username", "first_name", "last_name", "email", "is_active"]


def _staff_state(user):
    state = snapshot(user, fields=STAFF_FIELDS)
    state["roles"] = sorted(g.name for g in user.groups.all())
    return state


def _check_roles(roles):
    unknown = set(roles) - set(ROLE_RULES)
    if unknown:
        raise DomainError(_("Unknown role: %(r)s") % {"r": ", ".join(sorted(unknown))}, code="unknown_role")


def _check_password(password, user):
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError(" ".join(e.messages), code="weak_password") from e


def _owners_left(excluding):
    return User.objects.filter(groups__name=OWNER, is_active=True).exclude(pk=excluding.pk).exists()


@transaction.atomic(durable=True)
def staff_create(*, actor, username, password, roles, first_name="", last_name="", email="") -> AbstractUser:
    """Create a staff account with its roles."""
    _check_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("The username %(u)s is taken.") % {"u": username}, code="duplicate_username")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, is_active=True)
    _check_password(password, user)
    user.set_password(password)
    user.is_staff = bool(ADMIN_ROLES & set(roles))  # the Django admin: owners and operators
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    record(actor, "settings.staff_create", user, after=_staff_state(user))
    return user


@transaction.atomic(durable=True)
def staff_update(*, actor, user, roles, is_active, first_name="", last_name="", email="") -> AbstractUser:
    """Change a staff account's name, email, roles and whether it may log in."""
    _check_roles(roles)
    before = _staff_state(user)
    losing_owner = OWNER in before["roles"] and (OWNER not in roles or not is_active)
    if losing_owner and not _owners_left(excluding=user):
        raise DomainError(_("The store needs at least one active owner."), code="last_owner")
    user.first_name, user.last_name, user.email, user.is_active = first_name, last_name, email, is_active
    user.is_staff = bool(ADMIN_ROLES & set(roles))  # the Django admin: owners and operators
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    record(actor, "settings.staff_update", user, before=before, after=_staff_state(user))
    return user


@transaction.atomic(durable=True)
def staff_set_password(*, actor, user, password) -> AbstractUser:
    """Reset a staff member's password (the owner does it; the new one is not logged)."""
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor, "settings.staff_password_reset", user)
    return user


@transaction.atomic(durable=True)
def store_settings_update(*, actor, values: dict, business_hours: list, logo=None):
    """Save the store settings; `values` are already validated field values."""
    settings = store_settings_row()
    before = snapshot(settings)
    for field, value in values.items():
        setattr(settings, field, value)
    settings.business_hours = business_hours
    if logo is not None:
        image_check(logo, max_bytes=MAX_LOGO_BYTES)
        settings.logo = logo
    settings.full_clean()
    settings.save()
    record(actor, "settings.store_update", settings, before=before, after=snapshot(settings))
    return settings


ANNOUNCEMENT_FIELDS = ["title", "body", "starts_at", "ends_at", "published"]


@transaction.atomic(durable=True)
def announcement_save(*, actor, announcement=None, **values) -> Announcement:
    """Create or edit an announcement."""
    announcement = announcement or Announcement(created_by=actor)
    before = snapshot(announcement, ANNOUNCEMENT_FIELDS) if announcement.pk else None
    if values.get("ends_at") and values["ends_at"] <= values["starts_at"]:
        raise DomainError(_("The end must be after the start."), code="invalid_schedule")
    for field, value in values.items():
        setattr(announcement, field, value)
    announcement.save()
    record(
        actor,
        "settings.announcement_save",
        announcement,
        before=before,
        after=snapshot(announcement, ANNOUNCEMENT_FIELDS),
    )
    return announcement


@transaction.atomic(durable=True)
def announcement_delete(*, actor, announcement):
    """Delete an announcement."""
    record(actor, "settings.announcement_delete", announcement, before=snapshot(announcement, ANNOUNCEMENT_FIELDS))
    announcement.delete()


def _send_email(recipients, subject, body):
    send_mail(subject, body, django_settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


@transaction.atomic
def notify(*, title, body="", url="", kind="", users=(), role=None, email=False) -> list[Notification]:
    """Notify users (and/or every active member of a role) in the app, and by email if asked."""
    recipients = {u.pk: u for u in users}
    if role:
        recipients.update({u.pk: u for u in User.objects.filter(groups__name=role, is_active=True)})
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, title=title, body=body, url=url, kind=kind) for u in recipients.values()]
    )
    addresses = [u.email for u in recipients.values() if u.email]
    if email and addresses:
        transaction.on_commit(partial(_send_email, addresses, title, body))
    return rows


def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications (all, or those ids) as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic(durable=True)
def apikey_create(*, actor, name, scopes, expires_at=None) -> tuple[ApiKey, str]:
    """Create an API key (valid until revoked, or until `expires_at`); returns the key row and the plain key, which
    is never stored."""
    valid = {code for code, _label in ApiKey.SCOPES}
    if not name.strip():
        raise DomainError(_("Give the key a name."), code="name_required")
    if not scopes or set(scopes) - valid:
        raise DomainError(_("Choose at least one valid scope."), code="invalid_scopes")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."), code="invalid_expiry")
    plain = "ht_" + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=plain[:10],
        key_hash=hash_key(plain),
        scopes=sorted(scopes),
        created_by=actor,
        expires_at=expires_at,
    )
    after = {"name": key.name, "scopes": key.scopes, **({"expires_at": expires_at.isoformat()} if expires_at else {})}
    record(actor, "settings.apikey_create", key, after=after)
    return key, plain


@transaction.atomic(durable=True)
def apikey_revoke(*, actor, key, reason="") -> ApiKey:
    """Revoke an API key at once."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at:
        raise DomainError(_("This key is already revoked."), code="already_revoked")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    after = {"active": False, **({"reason": str(reason)[:200]} if reason else {})}
    record(actor, "settings.apikey_revoke", key, before={"active": True}, after=after)
    return key


@transaction.atomic(durable=True)
def staff_unlock(*, actor, user, reason) -> int:
    """Unlock a staff account locked out by failed logins (django-axes); returns the attempts cleared."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    if not AccessAttempt.objects.filter(username=user.get_username()).exists():
        raise DomainError(_("%(u)s is not locked out.") % {"u": user.get_username()}, code="not_locked_out", status=409)
    cleared = reset(username=user.get_username())
    record(actor, "settings.staff_unlock", user, after={"attempts_cleared": cleared, "reason": str(reason)[:200]})
    return cleared


def apikey_authenticate(plain: str) -> ApiKey:
    """The active key for a presented secret (not revoked, not expired), or NotFound."""
    now = timezone.now()
    key = (
        ApiKey.objects.filter(key_hash=hash_key(plain or ""), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if key is None:
        raise NotFound(_("Unknown, revoked or expired API key."), code="invalid_key", status=401)
    if not key.last_used_at or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
