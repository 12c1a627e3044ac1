"""Customer write use cases, one module per area; every name callers use is re-exported here.

profile   normalise_phone, customer_upsert (at order intake), profile edits, tags, addresses
segments  clean_rules (the segment rules' one validator), segment_save, segment_recount, segment_delete,
          segments_recount_all (nightly)
"""

from customers.services.profile import (
    customer_address_delete,
    customer_address_save,
    customer_address_set_default,
    customer_tag_set,
    customer_update,
    customer_upsert,
    normalise_phone,
)
from customers.services.segments import (
    clean_rules,
    segment_delete,
    segment_recount,
    segment_save,
    segments_recount_all,
)

__all__ = [
    "clean_rules",
    "customer_address_delete",
    "customer_address_save",
    "customer_address_set_default",
    "customer_tag_set",
    "customer_update",
    "customer_upsert",
    "normalise_phone",
    "segment_delete",
    "segment_recount",
    "segment_save",
    "segments_recount_all",
]
