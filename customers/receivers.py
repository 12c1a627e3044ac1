"""Handlers of customers' own signals; each only queues a customers task (connected in CustomersConfig.ready)."""

from django.dispatch import receiver

from customers.signals import tier_changed
from shop.outbox import enqueue


@receiver(tier_changed, dispatch_uid="customers.tier_change_notice")
def tier_change_notice(sender, customer, from_tier=None, to_tier=None, reason="", **kwargs):
    """Text the customer about an upgrade once the change commits, as a task (the nightly recomputation may
    upgrade thousands; the provider is never called inside the tier transaction)."""
    from customers.tasks import tier_change_notice as task

    if to_tier is None or (from_tier is not None and from_tier.rank >= to_tier.rank):
        return  # a downgrade (or leaving every tier) is not announced
    enqueue(
        task,
        customer_id=customer.pk,
        from_tier_id=getattr(from_tier, "pk", None),
        to_tier_id=getattr(to_tier, "pk", None),
        robust=True,  # a failed notice is logged (and its OutboundMessage row says why); the tier change stands
    )
