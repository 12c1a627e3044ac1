"""Customer write use cases, one module per area; every name callers use is re-exported here.

profile   normalise_phone, customer_upsert (at order intake), profile edits, tags, addresses
privacy   customer_data_export (one customer's data file), customer_erase (anonymise on request)
"""

from customers.services.privacy import customer_data_export, customer_erase
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
    "customer_address_delete",
    "customer_address_save",
    "customer_address_set_default",
    "customer_data_export",
    "customer_erase",
    "customer_tag_set",
    "customer_update",
    "customer_upsert",
    "normalise_phone",
]
