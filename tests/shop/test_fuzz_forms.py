"""Junk posted to every back-office URL (as the owner, who may use them all): a message or a 4xx,
never a 500 and never a traceback. Generated from the URL patterns, so every future form is covered."""
import pytest

from tests.shop.test_rbac import PAGES, _url

JUNK = [
    {},
    {"name": "x" * 5000, "title": "<script>alert(1)</script>", "price": "-1e309", "quantity": "NaN",
     "starts_at": "2026-13-45T99:99", "email": "not-an-email", "roles": ["nonexistent"], "ids": ["1", "abc", "-5"],
     "action": "drop_table", "page": "-1", "file": "not a file"},
    {"username": "\x00\x01", "password": "", "is_active": "maybe", "scopes": ["*"], "per_page": "1e9",
     "time_zone": "../../etc/passwd", "points_per_yuan": "1,000.00.00", "logo_upload": "x"},
]


@pytest.mark.parametrize("route,view", PAGES, ids=[r for r, _v in PAGES])
def test_junk_posted_to_any_page_never_breaks_it(owner_client, route, view):
    for data in JUNK:
        response = owner_client.post(_url(route), data)
        assert response.status_code < 500, f"{route} answered {response.status_code} to {data}"
