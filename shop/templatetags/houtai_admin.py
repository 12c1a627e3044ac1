"""The admin's date drill-down without scans: Django's `date_hierarchy` lists the years, months or days that
have rows with `SELECT DISTINCT` over every matching row (a full scan at a million orders); this one reads the
first and last date of the rows in view (MIN / MAX, served by the field's index) and offers every year, month
or day between them. Used by templates/admin/change_list.html for every changelist."""

import calendar
import datetime

from django import template
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.inclusion_tag("admin/date_hierarchy.html")
def bounded_date_hierarchy(cl):
    field_name = cl.date_hierarchy
    get_fields_from_path(cl.model, field_name)  # a bad path fails here, as Django's tag does
    year_field, month_field, day_field = (f"{field_name}__{part}" for part in ("year", "month", "day"))
    year, month, day = (cl.params.get(f) for f in (year_field, month_field, day_field))

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    span = cl.queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
    first, last = _local(span["first"]), _local(span["last"])
    if not (first and last):
        return {"show": False}
    if not (year or month or day) and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month
    if year and month and day:
        chosen = datetime.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        y, m = int(year), int(month)
        days = [datetime.date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        days = [d for d in days if first.date() <= d <= last.date()] if hasattr(first, "date") else days
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
            ],
        }
    if year:
        y = int(year)
        months = [datetime.date(y, m, 1) for m in range(1, 13)]
        months = [m for m in months if (first.year, first.month) <= (y, m.month) <= (last.year, last.month)]
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: y}), "title": str(y)} for y in range(first.year, last.year + 1)],
    }
