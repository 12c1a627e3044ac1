"""The reports that can be emailed on a schedule, and how one is built for an email.

A report class declares `schedulable = True` (reports.framework.Report subclasses); `schedulable_reports()` finds
them all. A report may offer `key_figures(context) -> [(label, value, kind)]` for the email's body; without it the
body shows the totals of its first four summable measures.
"""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.http import QueryDict

from reports.framework import Report, csv_text
from reports.periods import Period
from shop.xlsx import CONTENT_TYPE as XLSX_TYPE
from shop.xlsx import xlsx_bytes


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def schedulable_reports() -> dict:
    """{slug: report class} of every report that declares `schedulable = True`."""
    import reports.urls  # noqa: F401  (loads every report page module, so every class is declared)

    return {c.slug: c for c in _subclasses(Report) if c.slug and getattr(c, "schedulable", False)}


def role_permissions(roles) -> set:
    """The permissions ("app.codename") that every one of `roles` holds."""
    held = None
    for group in Group.objects.filter(name__in=roles).prefetch_related("permissions__content_type"):
        codes = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        held = codes if held is None else held & codes
    return held or set()


class RolesViewer:
    """Who reads an emailed report: a permission shows only if every recipient role holds it."""

    pk = None
    is_authenticated = True

    def __init__(self, roles):
        self.permissions = role_permissions(roles)

    def has_perm(self, permission):
        return permission in self.permissions


def schedule_period(frequency, slot_day) -> Period:
    """The period a delivery on `slot_day` covers: the day before (daily) or the 7 days before (weekly)."""
    end = slot_day - timedelta(days=1)
    start = end if frequency == "daily" else end - timedelta(days=6)
    return Period(start, end, preset="custom", compare="previous", group="day")


def default_key_figures(report, context) -> list:
    totals = context["table"]["totals"]
    return [(m.label, totals.get(m.key), m.kind) for m in report.measures if m.summable and m.key in totals][:4]


def build(report_class, period, roles, export_format) -> dict:
    """The report for `period` as the roles see it: title, key figures, and the export file (the framework's)."""
    request = SimpleNamespace(user=RolesViewer(roles), GET=QueryDict())
    report = report_class(request)
    context = report.context(period, None)
    figures = report.key_figures(context) if hasattr(report, "key_figures") else default_key_figures(report, context)
    header, rows = report.export_rows(context)
    name = report.export_name(period)
    if export_format == "csv":
        attachment = (f"{name}.csv", csv_text(header, rows).encode("utf-8"), "text/csv")
    else:
        attachment = (f"{name}.xlsx", xlsx_bytes(header, rows, sheet=report.slug or "report"), XLSX_TYPE)
    return {
        "report": report,
        "title": report.title,
        "figures": figures,
        "attachment": attachment,
        "rows": len(rows) - 1,
    }
