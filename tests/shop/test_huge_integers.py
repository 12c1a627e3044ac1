"""Integers from a request are bounded before they reach the database: on SQLite a Python int past
2**63 - 1 raises OverflowError (a 500), on PostgreSQL a value past the column's range a DataError.
Generated from the URL patterns (like test_fuzz_forms), so every future page is covered: a huge id in
the path, huge page numbers and filter ids in the query, huge ids and numbers in posted forms."""

import re

import pytest

from tests.shop.world import DUMMY
from tests.shop.world import ROUTE_VIEWS as PAGES

HUGE = "99999999999999999999"  # > 2**64
EDGE = str(2**63)  # one past SQLite's / PostgreSQL's bigint
ID_FIELDS = [
    "tags",
    "tag",
    "values",
    "matrix-values",
    "category",
    "brand",
    "warehouse",
    "supplier",
    "sku",
    "customer",
    "carrier",
    "method",
    "ids",
    "id",
    "parent",
    "definition",
    "product",
    "order",
    "line",
    "preferred_carrier",
    "template",
    "region",
    "rule",
]
NUMBER_FIELDS = [
    "page",
    "per_page",
    "quantity",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "position",
    "priority",
    "on_hand",
    "threshold",
    "points",
    "days",
    "window_minutes",
    "weight",
    "settlement_days",
    "hold_score",
    "sku_weight_g",
    "reorder_point",
    "order_up_to",
    "pack_size",
    "counted",
    "cover_days",
    "safety_stock",
    "lead_time_days",
    "window_days",
]


def _huge_url(route, value):
    def fill(match):
        return value if match.group(1) == "int" else DUMMY[match.group(1) or "str"]

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


INT_ROUTES = [(r, v) for r, v in PAGES if "<int:" in r]


@pytest.mark.parametrize("value", [HUGE, EDGE])
@pytest.mark.parametrize("route,view", INT_ROUTES, ids=[r for r, _v in INT_ROUTES])
def test_a_huge_id_in_the_path_is_404_not_500(owner_client, route, view, value):
    response = owner_client.get(_huge_url(route, value))
    assert response.status_code in (302, 403, 404, 405), f"{route} answered {response.status_code}"


@pytest.mark.parametrize("route,view", PAGES, ids=[r for r, _v in PAGES])
def test_huge_numbers_in_the_query_never_break_a_page(owner_client, route, view):
    url = _huge_url(route, "1")
    for value in (HUGE, EDGE):
        query = {name: value for name in ID_FIELDS + NUMBER_FIELDS}
        response = owner_client.get(url, query)
        assert response.status_code < 500, f"{route} answered {response.status_code} to ?…={value}"


@pytest.mark.parametrize("route,view", PAGES, ids=[r for r, _v in PAGES])
def test_huge_numbers_posted_never_break_a_form(owner_client, route, view):
    url = _huge_url(route, "1")
    for value in (HUGE, EDGE):
        data = {name: [value] for name in ID_FIELDS} | {name: value for name in NUMBER_FIELDS}
        data |= {f"matrix-{name}": [value] for name in ("values",)} | {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
        }
        response = owner_client.post(url, data)
        assert response.status_code < 500, f"{route} answered {response.status_code} to {value}"
