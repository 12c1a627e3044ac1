"""Signals after-sales sends (nothing earlier imports aftersales; reports may listen)."""

from django.dispatch import Signal

# sender=AftersalesRequest, request=<AftersalesRequest>: the request reached a final state, once, after commit:
# closed (after its refund or its replacement shipment), rejected or cancelled; the survey after a closed request
# listens.
request_closed = Signal()
