"""Signals marketing sends to later modules (DESIGN §1: marketing imports only catalog and customers).

orders connects the receivers (orders/receivers.py), because orders may import marketing and inventory:

- `flash_stock_hold(item, quantity, actor)`: sent inside the transaction that adds a SKU to a flash-sale
  session; the receiver reserves `quantity` units in inventory under the reference
  (`flash_sale`, `item.reference`) with ledger rows, or raises shop.errors.DomainError (not enough stock) and
  the whole setup rolls back. It answers True; marketing refuses to hold units nobody reserved.
- `flash_stock_release(item, actor, reason)`: sent inside the transaction that ends a session; the receiver
  releases what is still reserved under the item's reference back to normal stock (ledger rows).
- `group_buy_failed(group, order_numbers)`: sent inside the transaction that fails a group past its deadline;
  the receiver cancels each member's order (stock released), and a paid one gets its refund requested
  through the usual `orders.signals.refund_requested` -> payments (`refund_request_for_order`, once per
  order).
"""

from django.dispatch import Signal

flash_stock_hold = Signal()
flash_stock_release = Signal()
group_buy_failed = Signal()


def answered(responses) -> bool:
    return any(answer for _receiver, answer in responses)
