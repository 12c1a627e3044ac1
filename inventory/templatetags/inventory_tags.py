from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def turnover_cells(row, list_page):
    """The cells of an aggregated report row, in the list page's column order."""
    return [
        {"value": value, "num": isinstance(value, (int, Decimal)) and not isinstance(value, bool)}
        for value in (column.get(row) for column in list_page.columns)
    ]
