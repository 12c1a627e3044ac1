"""The logistics set-up: carriers, freight templates, dispatch rules, and tracking updates of a shipment."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Carrier, DispatchRule, FreightRegion, FreightTemplate, TrackingEvent
from orders.services.common import _audit
from shop.audit import audited_save, record, snapshot
from shop.errors import DomainError


@transaction.atomic(durable=True)
def carrier_save(*, actor, carrier=None, **fields) -> Carrier:
    """Create or change a carrier; its tracking pattern must be a valid regular expression."""
    try:
        re.compile(fields.get("tracking_pattern") or "")
    except re.error as e:
        raise DomainError(
            _("The pattern is not a valid regular expression: %(e)s") % {"e": e},
            code="invalid_pattern",
            fields={"tracking_pattern": _("Invalid pattern.")},
        ) from None
    return audited_save(carrier or Carrier(), actor=actor, action="orders.carrier_save", fields=fields)


@transaction.atomic(durable=True)
def freight_template_save(*, actor, template=None, regions=None, **fields) -> FreightTemplate:
    """Create or change a freight template; the default one prices every order."""
    template = audited_save(
        template or FreightTemplate(), actor=actor, action="orders.freight_template_save", fields=fields
    )
    if template.is_default:
        FreightTemplate.objects.exclude(pk=template.pk).filter(is_default=True).update(is_default=False)
    if regions is not None:
        template.regions.all().delete()
        FreightRegion.objects.bulk_create([FreightRegion(template=template, **r) for r in regions])
    return template


@transaction.atomic(durable=True)
def dispatch_rule_save(*, actor, rule=None, **fields) -> DispatchRule:
    """Create or change a dispatch rule."""
    return audited_save(rule or DispatchRule(), actor=actor, action="orders.dispatch_rule_save", fields=fields)


@transaction.atomic(durable=True)
def dispatch_rule_delete(*, actor, rule) -> None:
    """Delete a dispatch rule."""
    record(actor, "orders.dispatch_rule_delete", rule, before=snapshot(rule))
    rule.delete()


@transaction.atomic(durable=True)
def tracking_event_add(*, shipment, actor, description, location="", occurred_at=None) -> TrackingEvent:
    """Add a carrier's tracking update to a shipment."""
    description = str(description or "").strip()
    if not description:
        raise DomainError(_("Describe the update."), code="empty", fields={"description": _("This field is required.")})
    event = TrackingEvent.objects.create(
        shipment=shipment,
        description=description[:300],
        location=location[:100],
        occurred_at=occurred_at or timezone.now(),
    )
    _audit(actor, "orders.tracking_event", shipment.order, after={"description": description[:300]})
    return event
