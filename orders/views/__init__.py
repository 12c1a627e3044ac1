"""Order pages, one module per area; urls.py names them through this package.

detail         the keyset-paged order list, an order's page, its timeline
actions        the actions on an order's page (warehouse steps, cancel, notes, holds, address, price, tracking)
queues         the warehouse work queues and the abnormal orders
merging        merging for shipping, packing slips and the pick list
bulk_shipping  shipping from a CSV
logistics      carriers, freight templates, dispatch rules
"""

from orders.views.actions import (
    order_address,
    order_allocate,
    order_cancel,
    order_deliver,
    order_flag,
    order_note,
    order_pick,
    order_price,
    order_resolve,
    order_ship,
    order_unmerge,
    tracking_event_add,
)
from orders.views.bulk_shipping import ship_csv
from orders.views.detail import order_detail, order_list, order_timeline
from orders.views.logistics import (
    carrier_create,
    carrier_edit,
    carrier_list,
    freight_create,
    freight_edit,
    freight_list,
    rule_create,
    rule_delete,
    rule_edit,
    rule_list,
)
from orders.views.merging import merge, packing_slip, packing_slips, pick_list
from orders.views.queues import abnormal_list, work_queue

__all__ = [
    "abnormal_list",
    "carrier_create",
    "carrier_edit",
    "carrier_list",
    "freight_create",
    "freight_edit",
    "freight_list",
    "merge",
    "order_address",
    "order_allocate",
    "order_cancel",
    "order_deliver",
    "order_detail",
    "order_flag",
    "order_list",
    "order_note",
    "order_pick",
    "order_price",
    "order_resolve",
    "order_ship",
    "order_timeline",
    "order_unmerge",
    "packing_slip",
    "packing_slips",
    "pick_list",
    "rule_create",
    "rule_delete",
    "rule_edit",
    "rule_list",
    "ship_csv",
    "tracking_event_add",
    "work_queue",
]
