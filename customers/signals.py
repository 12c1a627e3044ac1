"""Signals the customers app sends (DESIGN §1: later modules connect to them; customers imports none).

- `tier_changed(customer, from_tier, to_tier, reason)`: a customer's member tier changed (sent by the tier
  services inside their transaction; `from_tier` / `to_tier` may be None). customers.receivers texts the
  customer about an upgrade once the change commits.
"""

from django.dispatch import Signal

tier_changed = Signal()
