"""Payments: methods and their limits, gateway adapters, payments, refunds, risk (fraud) review, settlement and
reconciliation (DESIGN §1: payments -> orders; orders never imports payments).

One list of payment methods. The codes are `orders.models.Order.PaymentMethod` — the list an order is placed
with, and the only one: payments may read it, orders may not read payments. From it:
- `payments.models.PaymentMethod.Code` is that enum (the row's code has the same choices);
- every code gets a `PaymentMethod` row at migrate (payments/defaults.py), named by the code's label in the store
  language; only the limits, fees and settlement cycle are payments' own, keyed by the enum;
- every code has a gateway adapter (`payments.gateways.PROVIDERS`; the sandbox unless PAYMENT_GATEWAY_<CODE>
  names another class).
So a new method is one new code in Order.PaymentMethod (plus its migration), and its defaults here if the neutral
ones do not fit; tests/payments/test_method_codes.py fails when a code exists on one side only.

Layout: services/ (write use cases, one module per area), state.py (the refund and risk-review state machines),
scoring.py (the risk rules' scoring), selectors.py (reads), lists.py (the list pages), views/ (pages by area).
"""
