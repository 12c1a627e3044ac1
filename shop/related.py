"""Related lists on detail pages (a supplier's SKUs, an order's timeline, a customer's orders, a product's
stock movements): the first rows, their total, and a link to the full list page filtered to the object.

A page never loads every related row: it reads `limit + 1` rows, and counts only when there are more.
A later module offers a related list on a lower module's page through its AppConfig (DESIGN §1):
`AppConfig.<hook>(user, obj) -> [Related]`, gathered by `related_panels`.
"""

from dataclasses import dataclass

from shop.hooks import hook_answers

RELATED_LIMIT = 20


@dataclass
class Related:
    key: str
    title: str
    rows: list
    total: int
    url: str  # the full list page, filtered to the object
    template: str  # renders `rows` (a table body or a list)

    @property
    def more(self):
        return self.total > len(self.rows)


def related(queryset, *, key, title, url, template, limit=RELATED_LIMIT):
    """The first `limit` rows of `queryset`, with the total and the link to all of them."""
    rows = list(queryset[: limit + 1])
    total = queryset.order_by().count() if len(rows) > limit else len(rows)
    return Related(key=key, title=title, rows=rows[:limit], total=total, url=url, template=template)


def related_panels(hook, obj, user):
    """The related lists module apps offer for `obj` to this user (AppConfig.<hook>(user, obj))."""
    return [panel for panels in hook_answers(hook, user, obj) for panel in panels]
