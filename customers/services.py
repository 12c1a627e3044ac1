"""Customer write use cases."""

from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Customer
from shop.china import mobile_digits
from shop.errors import DomainError


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
