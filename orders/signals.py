"""Signals orders sends to later modules (DESIGN §1: orders never imports payments or aftersales).

- `order_placing(order, quote)`: sent inside intake before it commits; a receiver may raise
  shop.errors.RuleRefused (payment method off, limit broken) and the whole intake rolls back.
- `order_paid(order)`: sent on commit after an order is marked paid.
- `refund_requested(order, amount, reason)`: sent on commit when a paid order is cancelled.
- `order_risk_held(order, actor, note)`: sent inside the transaction that puts an order on risk hold,
  so that the risk review queue (payments) holds it too.
"""
from django.dispatch import Signal

order_placing = Signal()
order_paid = Signal()
refund_requested = Signal()
order_shipped = Signal()
order_completed = Signal()
order_risk_held = Signal()
