"""Signals orders sends to later modules (DESIGN §1: orders never imports payments or aftersales).

- `order_placing(order, quote)`: sent inside intake before it commits; a receiver may raise
  shop.errors.RuleRefused (payment method off, limit broken) and the whole intake rolls back.
- `order_paid(order)`: sent on commit after an order is marked paid.
- `refund_requested(order, amount, reason)`: sent inside the cancellation's transaction when a paid order is
  cancelled, so the refund request is written with it (a broker outage after the commit cannot lose it).
- `order_completed(order)`: sent on commit when an order completes; orders/receivers.py grants its points
  (customers.services.points_earn_for_order).
- `order_risk_held(order, actor, note)`: sent inside the transaction that puts an order on risk hold,
  so that the risk review queue (payments) holds it too.
- `payment_method_default()`: sent at intake when the caller names no payment method; a receiver
  answers the code of the store's default method (payments: the first enabled one on its page).
- `order_recorded(order, kind)`: sent INSIDE the transaction of every change a sales figure counts, with kind
  "placed" (intake), "paid" (marked paid, or a COD order's money collected), "shipped", "cancel" or "close",
  or "province" (the address moved it to another province; with `previous_province`);
  reports/receivers.py updates its rollups in the same transaction, so a figure and its order commit together.
- `order_payments_requested(order)`: sent when the order API shows an order; a receiver answers
  `{"paid_amount", "refunded_amount", "payments": [...]}` (payments: one query).
"""

from django.dispatch import Signal

order_placing = Signal()
order_paid = Signal()
refund_requested = Signal()
order_shipped = Signal()
order_completed = Signal()
order_risk_held = Signal()
payment_method_default = Signal()
order_payments_requested = Signal()
order_recorded = Signal()
