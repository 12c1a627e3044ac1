"""Signals payments sends to later modules (reports). Each is sent INSIDE the transaction that records the
change, so a receiver's rollup commits (or rolls back) with it.

- `payment_failed(payment)`: a provider reported a failed payment (a new Payment row with status failed).
- `payment_recovered(payment)`: a failed payment was retried and paid (its row is no longer a failure).
- `refund_succeeded(refund)`: the provider confirmed a refund (status succeeded, `confirmed_at` set).
- `payment_received(payment)`: money was received: a payment recorded captured or flagged (a new row, or a
  failed one the customer retried and paid).
- `payments_settled(batch)`: a settlement batch was built and its payments linked to it.
"""

from django.dispatch import Signal

payment_failed = Signal()
payment_recovered = Signal()
refund_succeeded = Signal()
payment_received = Signal()
payments_settled = Signal()
