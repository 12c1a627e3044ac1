"""Report writes: scheduled report emails (save, delete) and the job that sends the due ones.

`scheduled_reports_send(now=)` sends each active schedule's most recent due slot once: the slot is today at
`send_at` (daily) or the last chosen weekday at `send_at` (weekly), if it has come and came after the schedule was
created. A ReportDelivery row per schedule and period (unique) is written before the email goes; a second run, or
a second worker, finds it and sends nothing. A failed email removes the row so the next run tries again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.models import ReportDelivery, ReportSchedule
from reports.schedules import build, schedulable_reports, schedule_period
from reports.templatetags.reports_tags import report_cell
from shop.audit import record, snapshot
from shop.errors import DomainError
from shop.roles import ROLE_RULES

logger = logging.getLogger(__name__)
SCHEDULE_FIELDS = ["report", "frequency", "weekday", "send_at", "roles", "format", "is_active"]


def _clean(values) -> dict:
    reports = schedulable_reports()
    fields = {}
    report = reports.get(values.get("report"))
    if report is None:
        fields["report"] = _("Choose a report that can be scheduled.")
    roles = [r for r in dict.fromkeys(values.get("roles") or []) if r in ROLE_RULES]
    if not roles:
        fields["roles"] = _("Choose at least one role.")
    elif report is not None and report.permission:
        from reports.schedules import role_permissions

        refused = [r for r in roles if report.permission not in role_permissions([r])]
        if refused:
            fields["roles"] = _("These roles may not see this report: %(roles)s.") % {"roles": ", ".join(refused)}
    if values.get("frequency") not in ReportSchedule.Frequency.values:
        fields["frequency"] = _("Choose daily or weekly.")
    if values.get("format") not in ReportSchedule.Format.values:
        fields["format"] = _("Choose CSV or XLSX.")
    if not 0 <= int(values.get("weekday") or 0) <= 6:
        fields["weekday"] = _("Choose a weekday.")
    if fields:
        raise DomainError(_("The schedule was not saved."), code="invalid_schedule", fields=fields)
    return {**values, "roles": roles, "weekday": int(values.get("weekday") or 0)}


@transaction.atomic(durable=True)
def report_schedule_save(*, actor, schedule=None, **values) -> ReportSchedule:
    """Create or edit a scheduled report email."""
    values = _clean(values)
    before = snapshot(schedule, SCHEDULE_FIELDS) if schedule else None
    schedule = schedule or ReportSchedule(created_by=getattr(actor, "pk", None) and actor)
    for name in SCHEDULE_FIELDS:
        if name in values:
            setattr(schedule, name, values[name])
    schedule.save()
    record(actor, "reports.schedule_save", schedule, before=before, after=snapshot(schedule, SCHEDULE_FIELDS))
    return schedule


@transaction.atomic(durable=True)
def report_schedule_delete(*, actor, schedule) -> None:
    """Delete a scheduled report email (its deliveries go with it)."""
    record(actor, "reports.schedule_delete", schedule, before=snapshot(schedule, SCHEDULE_FIELDS))
    schedule.delete()


def due_slot(schedule, now) -> datetime | None:
    """The schedule's most recent send moment at or before `now` (local), or None if none has come since it was
    created."""
    local = timezone.localtime(now)
    day = local.date()
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        day -= timedelta(days=(day.weekday() - schedule.weekday) % 7)
    slot = timezone.make_aware(datetime.combine(day, schedule.send_at))
    if slot > now:
        slot = timezone.make_aware(
            datetime.combine(day - timedelta(days=7 if schedule.frequency == "weekly" else 1), schedule.send_at)
        )
    return slot if slot >= schedule.created_at else None


def recipients(schedule, permission) -> list[str]:
    """The email addresses of the active users of the schedule's roles who may see the report."""
    users = (
        get_user_model()
        .objects.filter(groups__name__in=schedule.roles, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return list(dict.fromkeys(u.email for u in users if not permission or u.has_perm(permission)))


def _body(built, period) -> str:
    lines = [str(built["title"]), period.label(), ""]
    for label, value, kind in built["figures"]:
        lines.append(f"{label}: {report_cell(value, kind) or '—'}")
    lines += ["", _("The full report is attached.")]
    return "\n".join(lines)


def report_schedule_send(*, schedule, now=None) -> ReportDelivery | None:
    """Send the schedule's due period once; None when nothing is due, it was sent, or nobody can receive it."""
    now = now or timezone.now()
    slot = due_slot(schedule, now)
    report_class = schedulable_reports().get(schedule.report)
    if slot is None or report_class is None:
        return None
    period = schedule_period(schedule.frequency, timezone.localtime(slot).date())
    to = recipients(schedule, report_class.permission)
    if not to:
        return None
    try:
        with transaction.atomic():
            delivery = ReportDelivery.objects.create(
                schedule=schedule, period_start=period.start, period_end=period.end, recipients=to
            )
    except IntegrityError:
        return None  # this period went already
    try:
        with translation.override(settings.LANGUAGE_CODE):  # the store's language
            built = build(report_class, period, schedule.roles, schedule.format)
            subject = _("%(report)s · %(period)s") % {"report": built["title"], "period": period.label()}
            mail = EmailMessage(subject, _body(built, period), settings.DEFAULT_FROM_EMAIL, to)
        mail.attach(*built["attachment"])
        mail.send()
    except Exception:
        delivery.delete()  # the next run tries this period again
        raise
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["sent_at"])
    ReportSchedule.objects.filter(pk=schedule.pk).update(last_sent_at=delivery.sent_at)
    return delivery


def scheduled_reports_send(*, now=None) -> int:
    """Send every active schedule's due period (each once); the number of emails sent."""
    now = now or timezone.now()
    sent = 0
    for schedule in ReportSchedule.objects.filter(is_active=True).order_by("pk"):
        try:
            sent += report_schedule_send(schedule=schedule, now=now) is not None
        except Exception:  # one failing email (its period stays unsent, retried next run) stops no other
            logger.exception("scheduled report %s could not be sent", schedule.pk)
    return sent
