"""Customer write use cases, one module per area; every name callers use is re-exported here.

profile           normalise_phone, customer_upsert (at order intake), profile edits, tags, addresses
members           member tiers, purchase figures, RFM scores and segments, tier changes
points            the points ledger: earn, redeem, return, reverse, adjust, expire, birthday gifts
segments          segments (客户分群): rules, save, recount
crm               interaction notes and follow-up reminders; texts to a customer (outbound_queue / _deliver)
inbox             the message inbox: receive (API), assign, reply, status moves, the SLA check
recommendations   recommendations_recompute (the nightly bought-together pairs and best sellers)
privacy           phone reveals, the customer's data file, erasure (anonymisation)
profile   normalise_phone, customer_upsert (at order intake), profile edits, tags, addresses
segments  clean_rules (the segment rules' one validator), segment_save, segment_recount, segment_delete,
          segments_recount_all (nightly)
"""

from customers.services.crm import (
    assignable_staff,
    check_assignee,
    customer_text_send,
    follow_up_reminders,
    note_add,
    note_complete,
    outbound_deliver,
    outbound_queue,
    outbound_resend,
    tier_change_notify,
)
from customers.services.inbox import (
    message_assign,
    message_move,
    message_receive,
    message_reply,
    messages_assign,
    messages_sla_check,
    request_hash,
    sla_flag_overdue,
)
from customers.services.members import (
    member_order_completed,
    member_tier_delete,
    member_tier_save,
    rfm_and_tiers_recompute,
    rfm_segment,
)
from customers.services.points import (
    PointsInsufficient,
    points_adjust,
    points_after_refund,
    points_birthday_grant,
    points_earn_for_order,
    points_expire_due,
    points_for_amount,
    points_redeem,
    points_redemption_value,
    points_return_for_order,
)
from customers.services.privacy import (
    customer_data_export,
    customer_data_sections,
    customer_erase,
    erased_name,
    refuse_if_erased,
    scrub,
    scrub_audit_entries,
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
from customers.services.recommendations import (
    recommendations_recompute,
)
from customers.services.segments import (
    clean_rules,
    segment_delete,
    segment_recount,
    segment_save,
    segments_recount_all,
)

__all__ = [
    "PointsInsufficient",
    "assignable_staff",
    "check_assignee",
    "clean_rules",
    "customer_address_delete",
    "customer_address_save",
    "customer_address_set_default",
    "customer_data_export",
    "customer_data_sections",
    "customer_erase",
    "customer_tag_set",
    "customer_text_send",
    "customer_update",
    "customer_upsert",
    "erased_name",
    "follow_up_reminders",
    "member_order_completed",
    "member_tier_delete",
    "member_tier_save",
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
    "outbound_resend",
    "points_adjust",
    "points_after_refund",
    "points_birthday_grant",
    "points_earn_for_order",
    "points_expire_due",
    "points_for_amount",
    "points_redeem",
    "points_redemption_value",
    "points_return_for_order",
    "recommendations_recompute",
    "refuse_if_erased",
    "request_hash",
    "rfm_and_tiers_recompute",
    "rfm_segment",
    "scrub",
    "scrub_audit_entries",
    "segment_delete",
    "segment_recount",
    "segment_save",
    "segments_recount_all",
    "sla_flag_overdue",
    "tier_change_notify",
]
