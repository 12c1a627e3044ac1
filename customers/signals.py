"""Signals customers sends to the modules that depend on it (DESIGN §1: customers never imports them).

- `customer_erasing(customer)`: sent inside the erasure transaction before anything changes; a receiver may
  raise shop.errors.RuleRefused (orders: an order still on its way to the customer needs its address) and
  nothing is erased.
- `customer_erased(customer, actor)`: sent inside the transaction that erases (anonymises) a customer on
  their request (customers.services.customer_erase), after the customer record is anonymised. A receiver
  anonymises what its module keeps about the customer (orders: the shipping names, phones and addresses
  of their orders) and must leave amounts alone; raising rolls the erasure back.
"""

from django.dispatch import Signal

customer_erasing = Signal()
customer_erased = Signal()
