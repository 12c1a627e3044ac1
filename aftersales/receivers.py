"""Receivers of the signals orders and after-sales send, each a small named function that only calls an
after-sales service. `order_completed` is sent on commit (and inside the auto-complete sweep's loop): a failure is
logged, never raised, so it never fails the completion or stops the sweep."""

import logging

from django.dispatch import receiver

from aftersales import services
from aftersales.models import Survey
from aftersales.signals import request_closed
from orders.signals import order_completed

log = logging.getLogger(__name__)


@receiver(order_completed, dispatch_uid="aftersales.default_reviews")
def default_reviews(sender, order, **kwargs):
    """Post the default positive reviews of an auto-completed order past the review window (store setting)."""
    try:
        services.reviews_default_post(order=order)
    except Exception:
        log.exception("default reviews of order %s failed", order.number)


@receiver(order_completed, dispatch_uid="aftersales.survey_after_order")
def survey_after_order(sender, order, **kwargs):
    """Invite the customer to the survey after their order completed."""
    try:
        services.survey_invite(kind=Survey.Kind.ORDER, order=order)
    except Exception:
        log.exception("survey of order %s failed", order.number)


@receiver(request_closed, dispatch_uid="aftersales.survey_after_request")
def survey_after_request(sender, request, **kwargs):
    """Invite the customer to the survey after their after-sales request closed."""
    try:
        services.survey_invite(kind=Survey.Kind.REQUEST, order=request.order, request_number=request.number)
    except Exception:
        log.exception("survey of after-sales request %s failed", getattr(request, "number", "?"))
