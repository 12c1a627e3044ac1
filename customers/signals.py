"""Signals the customers module sends (receivers live in the modules that react, or in customers itself).

- `tier_changed(customer, from_tier, to_tier, reason)`: sent on commit after a customer's member tier
  changed (up or down). `from_tier` / `to_tier` are MemberTier or None; `reason` is a TierChange.Reason
  value ("order", "recompute", "staff"). The TierChange row is already written; a receiver tells the
  customer (customers.receivers texts them about an upgrade once the change commits) and must not raise.
- `customer_erasing(customer)`: sent inside the erasure transaction before anything changes; a receiver may
  raise shop.errors.RuleRefused (orders: an order still on its way to the customer needs its address) and
  nothing is erased.
- `customer_erased(customer, actor)`: sent inside the transaction that erases (anonymises) a customer on
  their request (customers.services.customer_erase), after the customer record is anonymised. A receiver
  anonymises what its module keeps about the customer (orders: the shipping names, phones and addresses
  of their orders) and must leave amounts alone; raising rolls the erasure back.
"""

from django.dispatch import Signal

tier_changed = Signal()
customer_erasing = Signal()
customer_erased = Signal()
