"""Every role against every back-office URL: its page, or 403; anonymous users go to the login page.

The URL list is generated from the URL patterns, so every future page is covered without edits here.
"""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver

SKIP_PREFIXES = ("admin/", "api/", "i18n/", "login/", "logout/", "static/", "media/")
DUMMY = {"int": "999999", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def _walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIP_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.callback


def _url(route):
    import re

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY[m.group(1) or "str"], route)


PAGES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda x: x[0])


def test_every_page_declares_its_permission():
    undeclared = [route for route, view in PAGES if not getattr(view, "is_staff_view", False)
                  and not route.startswith(("password/",))]
    assert undeclared == [], "pages without @staff_view: %s" % undeclared


@pytest.mark.parametrize("route,view", PAGES, ids=[r for r, _v in PAGES])
def test_anonymous_is_sent_to_login(client, db, route, view):
    response = client.get(_url(route))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("route,view", PAGES, ids=[r for r, _v in PAGES])
def test_each_role_gets_its_pages_and_403_elsewhere(client, make_staff, role, route, view):
    user = make_staff(role)
    client.force_login(user)
    response = client.get(_url(route))
    permission = getattr(view, "required_permission", None)
    if permission and not user.has_perm(permission):
        assert response.status_code == 403, f"{role} should be refused {route}"
        assert "403" in response.content.decode()
    else:
        assert response.status_code in (200, 302, 404, 405), f"{role} got {response.status_code} on {route}"


def test_warehouse_is_refused_finance_pages_and_sees_no_finance_nav(client, make_staff):
    client.force_login(make_staff("warehouse"))
    assert client.get("/modules/payments/").status_code == 403
    nav = client.get("/").content.decode()
    assert 'data-module="payments"' not in nav
    assert 'data-module="inventory"' in nav


def test_owner_sees_every_module_in_the_navigation(owner_client):
    html = owner_client.get("/").content.decode()
    for module in ("catalog", "inventory", "orders", "payments", "marketing", "customers", "aftersales",
                   "reports", "settings"):
        assert f'data-module="{module}"' in html


def test_anonymous_user_has_no_permissions():
    assert not AnonymousUser().has_perm("shop.access_catalog")
