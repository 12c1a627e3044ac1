"""Junk posted to every back-office URL (as the owner, who may use them all): a message or a 4xx,
never a 500 and never a traceback; and a post that is refused writes nothing.

Generated from the URL patterns, so every future form is covered. Every `<int:pk>` is a real object
(tests/shop/world.py), so the post reaches the form and its service rather than a 404.
"""

import pytest
from django.contrib.messages import constants

from tests.shop.world import PAGES, build_world, row_counts, url

JUNK = [
    {},
    {
        "name": "x" * 5000,
        "title": "<script>alert(1)</script>",
        "price": "-1e309",
        "quantity": "NaN",
        "starts_at": "2026-13-45T99:99",
        "email": "not-an-email",
        "roles": ["nonexistent"],
        "ids": ["1", "abc", "-5"],
        "action": "drop_table",
        "page": "-1",
        "file": "not a file",
        "amount": "1e400",
        "reason": "\x00",
    },
    {
        "username": "\x00\x01",
        "password": "",
        "is_active": "maybe",
        "scopes": ["*"],
        "per_page": "1e9",
        "time_zone": "../../etc/passwd",
        "points_per_yuan": "1,000.00.00",
        "logo_upload": "x",
        "counts": "{",
        "tracking_number": "'; DROP TABLE orders_order; --",
        "ids": ["99999999999999999999999"],
    },
]


def _refused(response):
    """The page said no: a 4xx, the form shown again (a saved form redirects), or an error message."""
    if response.status_code >= 400 or response.status_code == 200:
        return True
    queued = getattr(response.wsgi_request, "_messages", None)
    return any(m.level >= constants.WARNING for m in getattr(queued, "_queued_messages", []))


@pytest.mark.parametrize("route,name", [(r, n) for r, n, _v in PAGES], ids=[n for _r, n, _v in PAGES])
def test_junk_posted_to_any_page_never_breaks_it(client, owner, route, name):
    world = build_world(owner)
    client.force_login(owner)
    client.get("/")  # the first request creates the store settings row
    path = url(route, world)
    assert client.get(path).status_code != 404, f"{name}: the world lacks the object {path} needs"
    for data in JUNK:
        before = row_counts()
        response = client.post(path, data)
        assert response.status_code < 500, f"{name} answered {response.status_code} to {data}"
        if _refused(response):
            after = row_counts()
            changed = {t: (before[t], n) for t, n in after.items() if n != before[t]}
            assert changed == {}, f"{name} refused {data} ({response.status_code}) but wrote rows {changed}"
