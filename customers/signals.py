"""Signals the customers module sends (receivers live in the modules that react, or in customers itself).

- `tier_changed(customer, from_tier, to_tier, reason)`: sent on commit after a customer's member tier
  changed (up or down). `from_tier` / `to_tier` are MemberTier or None; `reason` is a TierChange.Reason
  value ("order", "recompute", "staff"). The TierChange row is already written; a receiver tells the
  customer (the CRM's SMS / email channel) and must not raise.
"""

from django.dispatch import Signal

tier_changed = Signal()
