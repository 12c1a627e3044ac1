"""Privacy use cases: one customer's data file, and erasing (anonymising) a customer on their request."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerAddress, CustomerErasure
from customers.privacy import ERASED_PREFIX
from customers.signals import customer_erased, customer_erasing
from shop.actors import Actor
from shop.audit import record, snapshot
from shop.errors import DomainError
from shop.hooks import hook_answers
from shop.models import AuditEntry

PROFILE_EXPORT = ("name", "phone", "email", "gender", "birthday", "source", "blacklisted", "blacklist_reason")
ADDRESS_EXPORT = ("name", "phone", "province", "city", "district", "detail", "postcode", "is_default")
# What erasure blanks in audit entries (before/after snapshots): the customer's, their addresses' and, through
# `scrub_audit_entries`, what later modules keep (orders: the shipping fields and the customer note).
PERSONAL_KEYS = {
    "name",
    "phone",
    "email",
    "birthday",
    "detail",
    "district",
    "postcode",
    "address",
    "blacklist_reason",
    "ship_name",
    "ship_phone",
    "ship_district",
    "ship_detail",
    "ship_postcode",
    "note",
}
ERASED_TEXT = "[erased]"


def erased_name(customer) -> str:
    return _("Erased customer %(n)s") % {"n": customer.pk}


def refuse_if_erased(customer) -> None:
    if customer.erased_at is not None:
        raise DomainError(
            _("This customer was erased on request; their record can no longer be changed."), code="customer_erased"
        )


def customer_data_sections(customer) -> dict:
    """The customer's own data (profile, addresses, tags) and the sections other apps add through
    `AppConfig.customer_data_export(customer) -> {section: JSON-safe data}` (orders: "orders")."""
    data = {
        "customer": {"id": customer.pk, **snapshot(customer, fields=PROFILE_EXPORT)}
        | {"created_at": customer.created_at.isoformat(), "erased_at": customer.erased_at},
        "addresses": [
            snapshot(a, fields=ADDRESS_EXPORT)
            for a in CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "id")
        ],
        "tags": sorted(customer.tags.values_list("name", flat=True)),
    }
    for sections in hook_answers("customer_data_export", customer):
        data.update(sections)
    return data


@transaction.atomic(durable=True)
def customer_data_export(*, customer, actor) -> dict:
    """Everything the shop keeps about one customer, as a JSON-safe dict (their data request); audited."""
    data = customer_data_sections(customer)
    data["exported_at"] = timezone.now().isoformat()
    record(actor, "customers.data_exported", customer, after={"sections": sorted(data)})
    return data


def scrub(value):
    """A JSON value with the personal values (PERSONAL_KEYS, at any depth) replaced by "[erased]"."""
    if isinstance(value, dict):
        return {k: (ERASED_TEXT if k in PERSONAL_KEYS and v not in (None, "") else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def scrub_audit_entries(model, pks, *, repr_too=False) -> None:
    """Blank the personal values (PERSONAL_KEYS) in the audit entries of these objects; who did what stays.
    For erasure receivers in later modules (orders scrubs its orders' entries)."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
    )
    for entry in entries.iterator():
        entry.before, entry.after = scrub(entry.before), scrub(entry.after)
        if repr_too:  # the customer's "name (138****8000)"; an order's repr is its number and stays
            entry.object_repr = ERASED_TEXT
        entry.save(update_fields=["before", "after", "object_repr"])


@transaction.atomic(durable=True)
def customer_erase(*, customer, actor, confirm, reason="") -> Customer:
    """Erase (anonymise) a customer on their request; `confirm` must be the customer's number (typed).

    Name -> a placeholder, phone -> "erased-<pk>" (unique, never a phone: intake with the same number later
    creates a new customer), email, birthday, gender, tags and addresses cleared, `erased_at` set, and the
    personal values in their audit entries blanked. `customer_erased` lets later modules anonymise theirs
    (orders: shipping names, phones, addresses) in the same transaction; amounts, ledgers and figures stay.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    refuse_if_erased(customer)
    if str(confirm or "").strip() != str(customer.pk):
        raise DomainError(
            _("Type the customer number %(n)s to confirm the erasure.") % {"n": customer.pk},
            code="confirm_required",
            fields={"confirm": _("Type %(n)s to confirm.") % {"n": customer.pk}},
        )
    customer_erasing.send(sender=Customer, customer=customer)
    reason = str(reason or "").strip()[:200]
    address_pks = list(customer.addresses.values_list("pk", flat=True))
    scrub_audit_entries(Customer, [customer.pk], repr_too=True)
    scrub_audit_entries(CustomerAddress, address_pks, repr_too=True)
    CustomerAddress.objects.filter(pk__in=address_pks).delete()
    customer.tags.clear()
    now = timezone.now()
    customer.name = erased_name(customer)
    customer.phone = f"{ERASED_PREFIX}{customer.pk}"
    customer.email = ""
    customer.birthday = None
    customer.gender = Customer.Gender.UNKNOWN
    customer.blacklist_reason = ERASED_TEXT if customer.blacklisted else ""
    customer.erased_at = now
    customer.save()
    CustomerErasure.objects.create(customer=customer, reason=reason, erased_by=Actor.of(actor).label, erased_at=now)
    customer_erased.send(sender=Customer, customer=customer, actor=actor)
    record(actor, "customers.erased", customer, after={"addresses_deleted": len(address_pks), "reason": reason})
    return customer
