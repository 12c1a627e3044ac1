"""Handlers of customers' own signals; each only calls a customers service (connected in CustomersConfig.ready)."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from customers.signals import tier_changed


@receiver(tier_changed, dispatch_uid="customers.tier_change_notice")
def tier_change_notice(sender, customer, from_tier=None, to_tier=None, reason="", **kwargs):
    """Text the customer about an upgrade once the change commits (the provider is never called inside it)."""
    from customers.services import tier_change_notify

    transaction.on_commit(
        partial(
            tier_change_notify,
            customer_id=customer.pk,
            from_tier_id=getattr(from_tier, "pk", None),
            to_tier_id=getattr(to_tier, "pk", None),
        ),
        robust=True,  # a failed notice is logged (and its OutboundMessage row says why); the tier change stands
    )
