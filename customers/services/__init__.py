"""Customer write use cases, one module per area; every name callers use is re-exported here.

profile   normalise_phone, customer_upsert (at order intake), profile edits, tags, addresses
crm       interaction notes and follow-up reminders; texts to a customer (outbound_queue / _deliver)
inbox     the message inbox: receive (API), assign, reply, status moves, the SLA check
"""

from customers.services.crm import (
    assignable_staff,
    customer_text_send,
    follow_up_reminders,
    note_add,
    note_complete,
    outbound_deliver,
    outbound_queue,
    tier_change_notify,
)
from customers.services.inbox import (
    message_assign,
    message_move,
    message_receive,
    message_reply,
    messages_assign,
    messages_sla_check,
    sla_flag_overdue,
)
from customers.services.profile import (
    customer_address_delete,
    customer_address_save,
    customer_address_set_default,
    customer_tag_set,
    customer_update,
    customer_upsert,
    normalise_phone,
)

__all__ = [
    "assignable_staff",
    "customer_address_delete",
    "customer_address_save",
    "customer_address_set_default",
    "customer_tag_set",
    "customer_text_send",
    "customer_update",
    "customer_upsert",
    "follow_up_reminders",
    "message_assign",
    "message_move",
    "message_receive",
    "message_reply",
    "messages_assign",
    "messages_sla_check",
    "normalise_phone",
    "note_add",
    "note_complete",
    "outbound_deliver",
    "outbound_queue",
    "sla_flag_overdue",
    "tier_change_notify",
]
