"""Profile use cases: the customer record, its tags and its addresses."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerAddress, CustomerTag
from shop.audit import audited_save, record, snapshot
from shop.china import address_contact_check, mobile_digits
from shop.errors import DomainError

PROFILE_FIELDS = ("name", "phone", "email", "gender", "birthday", "source", "blacklisted", "blacklist_reason")
ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail", "postcode")
MAX_TAGS = 20


def normalise_phone(phone: str) -> str:
    """A mainland mobile number as 11 digits, or DomainError("invalid_phone")."""
    digits = mobile_digits(phone)
    if digits is None:
        raise DomainError(
            _("%(p)s is not a valid mainland mobile number.") % {"p": str(phone)[:30]},
            code="invalid_phone",
            fields={"phone": _("Invalid mobile number.")},
        )
    return digits


@transaction.atomic
def customer_upsert(*, phone, name, email="") -> Customer:
    """Find the customer by mobile phone or create them; a new name or email updates the record."""
    phone = normalise_phone(phone)
    name = (name or "").strip()[:100]
    if not name:
        raise DomainError(_("The customer's name is required."), code="name_required", fields={"name": _("Required.")})
    customer, created = Customer.objects.get_or_create(phone=phone, defaults={"name": name, "email": email or ""})
    if not created and (customer.name != name or (email and customer.email != email)):
        customer.name = name
        customer.email = email or customer.email
        customer.save(update_fields=["name", "email", "updated_at"])
    return customer


def _locked(customer) -> Customer:
    """The customer, row-locked; an erased customer cannot be changed (customers.services.privacy)."""
    from customers.services.privacy import refuse_if_erased

    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    refuse_if_erased(customer)
    return customer


def _clean_profile(customer, fields) -> dict:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="invalid")
    clean = dict(fields)
    if "name" in clean:
        clean["name"] = str(clean["name"] or "").strip()
        if not clean["name"]:
            raise DomainError(
                _("The customer's name is required."), code="name_required", fields={"name": _("Required.")}
            )
    if "phone" in clean:
        clean["phone"] = normalise_phone(clean["phone"])
        if Customer.objects.filter(phone=clean["phone"]).exclude(pk=customer.pk).exists():
            raise DomainError(
                _("Another customer already has the mobile number %(p)s.") % {"p": clean["phone"]},
                code="duplicate_phone",
                fields={"phone": _("This mobile number belongs to another customer.")},
            )
    if "email" in clean:
        clean["email"] = str(clean["email"] or "").strip()
        try:
            if clean["email"]:
                validate_email(clean["email"])
        except ValidationError:
            raise DomainError(
                _("Enter a valid email address."), code="invalid_email", fields={"email": _("Invalid email address.")}
            ) from None
    if clean.get("birthday") and clean["birthday"] > timezone.localdate():
        raise DomainError(
            _("A birthday cannot be in the future."),
            code="birthday_future",
            fields={"birthday": _("A birthday cannot be in the future.")},
        )
    if "blacklisted" in clean or "blacklist_reason" in clean:
        blacklisted = bool(clean.get("blacklisted", customer.blacklisted))
        reason = str(clean.get("blacklist_reason", customer.blacklist_reason) or "").strip()
        if blacklisted and not reason:
            raise DomainError(
                _("Give a reason for blacklisting the customer."),
                code="reason_required",
                fields={"blacklist_reason": _("This field is required.")},
            )
        clean["blacklisted"], clean["blacklist_reason"] = blacklisted, reason if blacklisted else ""
    return clean


@transaction.atomic(durable=True)
def customer_update(*, customer, actor, **fields) -> Customer:
    """Edit the customer's profile: name, mobile, email, gender, birthday, source and blacklist."""
    customer = _locked(customer)
    return audited_save(customer, actor=actor, action="customers.update", fields=_clean_profile(customer, fields))


@transaction.atomic(durable=True)
def customer_tag_set(*, customer, actor, tags) -> Customer:
    """Replace the customer's tags with the named ones, creating tags that do not exist yet."""
    if isinstance(tags, str):
        tags = re.split(r"[,，\s]+", tags)
    names = list(dict.fromkeys(str(t).strip() for t in tags if str(t or "").strip()))
    if len(names) > MAX_TAGS or any(len(n) > 30 for n in names):
        raise DomainError(
            _("At most %(n)s tags of up to 30 characters each.") % {"n": MAX_TAGS},
            code="invalid_tags",
            fields={"tags": _("At most %(n)s tags of up to 30 characters each.") % {"n": MAX_TAGS}},
        )
    customer = _locked(customer)
    before = sorted(customer.tags.values_list("name", flat=True))
    chosen = [CustomerTag.objects.get_or_create(name=n)[0] for n in names]
    customer.tags.set(chosen)
    record(actor, "customers.tags_set", customer, before={"tags": before}, after={"tags": sorted(names)})
    return customer


def _clean_address(fields) -> dict:
    clean = {k: str(fields.get(k) or "").strip() for k in ADDRESS_FIELDS}
    clean["phone"], errors = address_contact_check(clean["phone"], clean["postcode"])
    if not clean["phone"]:
        errors["phone"] = _("Enter a mobile number or a landline with its area code.")
    if errors:
        raise DomainError(_("The address is not complete."), code="invalid_address", fields=errors)
    return clean


def _make_default(address, actor) -> None:
    CustomerAddress.objects.filter(customer_id=address.customer_id, is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])
    record(actor, "customers.address_default", address.customer, after={"address": str(address)})


@transaction.atomic(durable=True)
def customer_address_save(*, customer, actor, address=None, is_default=False, **fields) -> CustomerAddress:
    """Add an address to the customer or edit one of theirs; the first address is the default."""
    customer = _locked(customer)
    if address is not None and address.customer_id != customer.pk:
        raise DomainError(_("That address belongs to another customer."), code="not_found")
    clean = _clean_address(fields)
    instance = address or CustomerAddress(customer=customer)
    first = not customer.addresses.exclude(pk=instance.pk).exists()
    audited_save(instance, actor=actor, action="customers.address_save", fields=clean)
    if (is_default or first) and not instance.is_default:
        _make_default(instance, actor)
    return instance


@transaction.atomic(durable=True)
def customer_address_set_default(*, address, actor) -> CustomerAddress:
    """Make this the customer's default address; their other addresses stop being the default."""
    _locked(address.customer)
    address = CustomerAddress.objects.get(pk=address.pk)
    _make_default(address, actor)
    return address


@transaction.atomic(durable=True)
def customer_address_delete(*, address, actor) -> None:
    """Delete an address; when it was the default, the oldest remaining address becomes the default."""
    customer = _locked(address.customer)
    address = CustomerAddress.objects.get(pk=address.pk)
    before = snapshot(address)
    was_default = address.is_default
    address.delete()
    record(actor, "customers.address_delete", customer, before=before)
    if was_default:
        successor = customer.addresses.order_by("created_at", "id").first()
        if successor is not None:
            _make_default(successor, actor)
