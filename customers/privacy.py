"""Phone numbers and who sees them: the one home of the masking rule (issue 12, privacy).

The rule:
- Every page shows a customer's or a shipping address's phone masked (138****1234), to every role. A user
  holding `customers.reveal_phone` (REVEAL) also gets a "show" button beside it: an htmx POST to
  `customers:phone_reveal` answers the full number in place and writes one audit entry
  `customers.phone_revealed` per reveal. Templates: `{% load privacy %}{% phone "order" order.pk order.ship_phone %}`.
- Printed pages (packing slips, pick lists) always print the masked number, as Chinese privacy waybills
  (隐私面单) do: the carrier reaches the recipient through the number it was sent, not through paper.
  Templates: `{{ order.ship_phone|masked_phone }}`.
- Exports (every ListPage CSV/XLSX): a phone column declared with `personal=PHONE`
  (`Column("ship_phone", _("Phone"), personal=PHONE)`) carries full numbers for REVEAL holders, with one
  audit entry `customers.phones_exported` per export (who, which list, how many rows), and masked
  numbers for everyone else.
- Files and forms outside a list: `phone_for(user, phone)` gives what the user may see (full or masked);
  a caller that shows a full number must audit it with `record_reveal` (the edit forms do, via `form_phone`).

Who holds REVEAL (shop/roles.py): owner, operations and customer service ("customers.*"): they call
customers and fix addresses. Warehouse, finance and marketing do not: labels and slips print masked numbers.

Other apps offer their phones to the reveal button through an AppConfig hook:
`AppConfig.phone_sources() -> {source: (view_permission, getter)}` where `getter(pk)` answers
`(obj, phone)` or None (orders offers "order": an order's shipping phone). customers offers "customer"
and "address".
"""

import json
from collections.abc import Callable
from typing import Any

from shop.audit import record
from shop.china import mask_phone
from shop.hooks import hook_answers

__all__ = [
    "PHONE",
    "REVEAL",
    "form_phone",
    "kept_phone",
    "mask_phone",
    "may_reveal",
    "phone_for",
    "phone_html",
    "phone_search",
    "record_reveal",
]

REVEAL = "customers.reveal_phone"
EXPORT_DATA = "customers.export_customer_data"
ERASE = "customers.erase_customer"
ERASED_PREFIX = "erased-"  # an erased customer's phone placeholder: "erased-<pk>", never a phone number


def may_reveal(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(REVEAL))


def phone_html(user, source) -> Callable[[Any, Any], str]:
    """What `{% phone source pk number %}` writes, for the rows of one page: `html(pk, number)` -> the masked
    number, with the "show" button for a REVEAL holder (decided once for the page)."""
    from django.urls import reverse
    from django.utils.html import escape, format_html
    from django.utils.translation import gettext

    if not may_reveal(user):
        return lambda pk, number: format_html('<span class="phone">{}</span>', mask_phone(number))
    url, show = reverse("customers:phone_reveal"), gettext("Show")

    def html(pk, number):
        masked = mask_phone(number)
        if not masked or masked == str(number or ""):
            return format_html('<span class="phone">{}</span>', masked)
        return (
            f'<span class="phone">{escape(masked)} <button type="button" class="link reveal" hx-post="{escape(url)}" '
            f"hx-vals='{escape(json.dumps({'source': str(source), 'pk': str(pk)}))}' "
            f'hx-target="closest .phone" hx-swap="outerHTML">{escape(show)}</button></span>'
        )

    return html


def phone_for(user, phone) -> str:
    """The phone as this user may see it: full for REVEAL holders, masked for everyone else.
    Showing the full number is a view to audit (record_reveal, or PHONE.exported for a list export)."""
    return str(phone or "") if may_reveal(user) else mask_phone(phone)


def phone_search(user, field) -> str:
    """The search lookup of a phone field for this user: a prefix for REVEAL holders; the whole number for
    everyone else, so that typing digit after digit cannot spell out a number the page masks."""
    return f"{field}__startswith" if may_reveal(user) else field


def record_reveal(user, obj, *, source, where="page"):
    """The audit entry of one view of a full phone number: who, which object (the entry names it), where."""
    return record(user, "customers.phone_revealed", obj, after={"source": source, "where": where})


def form_phone(request, obj, *, source, phone) -> str:
    """The phone an edit form starts with: full for REVEAL holders (audited: opening the form shows it),
    masked for others (a masked number posted back keeps the stored one, see `kept_phone`)."""
    if not may_reveal(request.user):
        return mask_phone(phone)
    if request.method == "GET":
        record_reveal(request.user, obj, source=source, where="form")
    return phone


def kept_phone(posted, current) -> str:
    """The posted phone, or the stored one when the form posts back the masked number it showed."""
    posted = str(posted or "").strip()
    return current if current and posted == mask_phone(current) and posted != current else posted


class PersonalPhone:
    """The `Column.personal` policy of phone columns (shop.lists): masked unless the user holds REVEAL,
    and an export with full numbers is audited once."""

    def shows_full(self, user) -> bool:
        return may_reveal(user)

    def mask(self, value):
        return mask_phone(value)

    def exported(self, list_page, columns):
        request = list_page.request
        record(
            request.user,
            "customers.phones_exported",
            after={
                "list": list_page.export_name,
                "rows": list_page.results.order_by().count(),
                "columns": [str(c.label) for c in columns],
                "query": request.GET.urlencode()[:500],
            },
            module="customers",
        )


PHONE = PersonalPhone()


# -- the phones the reveal button may show ---------------------------------------------------------------
def _customer(pk):
    from customers.models import Customer

    customer = Customer.objects.filter(pk=pk).first()
    return (customer, customer.phone) if customer else None


def _address(pk):
    from customers.models import CustomerAddress

    address = CustomerAddress.objects.select_related("customer").filter(pk=pk).first()
    return (address, address.phone) if address else None


def phone_sources() -> dict[str, tuple[str, Callable[[int], Any]]]:
    """{source: (view permission, getter)} of customers and of every app offering `phone_sources()`."""
    sources: dict[str, tuple[str, Callable[[int], Any]]] = {
        "customer": ("customers.view_customer", _customer),
        "address": ("customers.view_customer", _address),
    }
    for offered in hook_answers("phone_sources", skip=("customers",)):
        sources.update(offered)
    return sources
