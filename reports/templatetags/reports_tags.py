"""Formatting of report cells by the kind of their measure (money, count, percent, change)."""

from django import template
from django.utils.formats import number_format

from shop.templatetags.houtai import money

register = template.Library()


@register.filter
def report_cell(value, kind):
    if value is None or value == "":
        return "—" if kind == "change" else ""
    if kind == "money":
        return money(value)
    if kind == "change":
        sign = "+" if value > 0 else ""
        return f"{sign}{number_format(value, 1)}%"
    if kind == "percent":
        return f"{number_format(value, 1)}%"
    if kind == "count":
        return number_format(value, 0, force_grouping=True)
    return number_format(value, force_grouping=True)


@register.simple_tag
def report_query(query, **extra):
    """The period's GET parameters plus `extra`, url-encoded (the export links keep the chosen period)."""
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    q.update(query)
    for key, value in extra.items():
        q[key] = value
    return q.urlencode()
