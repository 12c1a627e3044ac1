from django import template

register = template.Library()


@register.simple_tag
def cell(column, row):
    """A list column's value for a row (the generic promotion lists)."""
    value = column.get(row)
    if isinstance(value, bool):
        return "✓" if value else ""
    return "" if value is None else value
