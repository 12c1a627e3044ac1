"""Order write use cases, one module per area; every name callers use is re-exported here.

    common         _locked, _event, _audit, _move: lock, timeline entry, audit entry, state-machine move
    intake         order_place (Idempotency-Keys, address and line cleaning), intake_keys_purge,
                   intake_key_find / intake_key_store (the keys of every API intake)
    payment        order_mark_paid (and cash-on-delivery collection), the dispatch rules
    fulfilment     order_allocate / orders_allocate, order_pick, order_ship, order_deliver, order_complete
    cancelling     order_cancel
    sweeps         the timed jobs: orders_close_unpaid, orders_auto_confirm, orders_auto_complete
    editing        address change, price adjustment, notes, abnormal flags
    aftersales     order_aftersales_mark: the after-sales status and timeline entries after-sales writes
    merging        merge_problems, orders_merge, order_unmerge
    bulk_shipping  shipping from a CSV
    logistics      carriers, freight templates, dispatch rules, tracking events

Every status change goes through `_move`, which checks the machine of orders/state.py, writes the order's
timeline entry (OrderEvent) and, for staff, an audit entry, all inside the caller's transaction. Top-level
services are durable; `order_mark_paid`, `order_flag_abnormal` and `order_clear_abnormal` join the caller's
transaction because payments calls them inside its own.

Stock: intake reserves (inventory.stock_reserve, warehouses of the address's province first), paying
keeps the reservation, shipping commits it (stock_commit), cancelling or closing releases it.
"""

from orders.services.aftersales import order_aftersales_mark
from orders.services.bulk_shipping import (
    MAX_ROWS,
    SYNC_ROWS,
    ShipCsvStarted,
    orders_ship_csv,
    orders_ship_csv_stored,
    orders_ship_csv_upload,
    ship_csv_rows,
)
from orders.services.cancelling import order_cancel, order_reservation_release
from orders.services.common import S, _audit, _event, _locked, _move
from orders.services.editing import (
    order_address_change,
    order_adjust_price,
    order_clear_abnormal,
    order_flag_abnormal,
    order_note_add,
    orders_anonymise_customer,
    orders_refuse_erasure,
)
from orders.services.fulfilment import (
    clean_tracking,
    order_allocate,
    order_complete,
    order_deliver,
    order_pick,
    order_ship,
    orders_allocate,
)
from orders.services.intake import (
    ADDRESS_FIELDS,
    ADDRESS_LIMITS,
    MAX_LINES,
    MAX_QUANTITY,
    intake_key_find,
    intake_key_store,
    intake_keys_purge,
    order_place,
    request_hash,
)
from orders.services.logistics import (
    carrier_save,
    dispatch_rule_delete,
    dispatch_rule_save,
    freight_template_save,
    tracking_event_add,
)
from orders.services.merging import merge_problems, order_unmerge, orders_merge
from orders.services.payment import order_mark_paid
from orders.services.sweeps import orders_auto_complete, orders_auto_confirm, orders_close_unpaid

__all__ = [
    "ADDRESS_FIELDS",
    "ADDRESS_LIMITS",
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_ROWS",
    "SYNC_ROWS",
    "ShipCsvStarted",
    "S",
    "_audit",
    "_event",
    "_locked",
    "_move",
    "carrier_save",
    "clean_tracking",
    "dispatch_rule_delete",
    "dispatch_rule_save",
    "freight_template_save",
    "intake_key_find",
    "intake_key_store",
    "intake_keys_purge",
    "order_aftersales_mark",
    "merge_problems",
    "order_address_change",
    "orders_anonymise_customer",
    "orders_refuse_erasure",
    "order_adjust_price",
    "order_allocate",
    "order_cancel",
    "order_reservation_release",
    "order_clear_abnormal",
    "order_complete",
    "order_deliver",
    "order_flag_abnormal",
    "order_mark_paid",
    "order_note_add",
    "order_pick",
    "order_place",
    "order_ship",
    "orders_allocate",
    "orders_auto_complete",
    "orders_auto_confirm",
    "orders_close_unpaid",
    "order_unmerge",
    "orders_merge",
    "orders_ship_csv",
    "orders_ship_csv_stored",
    "orders_ship_csv_upload",
    "request_hash",
    "ship_csv_rows",
    "tracking_event_add",
]
