"""Navigation and permissions agree, for every role: a link in the navigation opens, a page the role
is refused is not offered, and a navigation page the role may open is offered."""

import pytest
from django.apps import apps
from django.urls import resolve, reverse

from shop.navigation import SETTINGS_NAV
from tests.shop.test_rbac import MAY_OPEN
from tests.shop.world import ROUTE_VIEWS as PAGES
from tests.shop.world import dummy_url as _url


def _nav_links(client):
    """The hrefs of the left navigation on the dashboard, as the user sees it."""
    import re

    html = client.get("/").content.decode()
    nav = html.split("<nav aria-label=", 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


def _all_nav_entries():
    entries = list(SETTINGS_NAV)
    for config in apps.get_app_configs():
        entries.extend(getattr(config, "nav", None) or [])
    return entries


def test_every_link_in_a_roles_navigation_opens(client, make_staff, role):
    client.force_login(make_staff(role))
    links = _nav_links(client)
    assert links, role
    for url in sorted(links):
        assert client.get(url).status_code == 200, f"{role}: {url} is in the navigation but does not open"


def test_no_page_a_role_is_refused_is_in_its_navigation(client, make_staff, role):
    user = make_staff(role)
    client.force_login(user)
    links = _nav_links(client)
    for route, view in PAGES:
        if "<" in route:
            continue
        permission = getattr(view, "required_permission", None)
        if permission and not user.has_perm(permission):
            assert _url(route) not in links, f"{role} is refused {route} but its navigation offers it"


def test_every_navigation_page_a_role_may_open_is_offered(client, make_staff, role):
    user = make_staff(role)
    client.force_login(user)
    links = _nav_links(client)
    for name, _label, _perm in _all_nav_entries():
        url = reverse(name)
        permission = getattr(resolve(url).func, "required_permission", None)
        if permission is None or user.has_perm(permission):
            assert url in links, f"{role} may open {url} but its navigation does not offer it"


def test_the_navigation_offers_exactly_the_pages_of_the_rbac_table(client, make_staff, role):
    """Against the hand-written table (tests/shop/test_rbac.py), not the code's own permissions."""
    client.force_login(make_staff(role))
    offered = {resolve(link).view_name for link in _nav_links(client) if not link.startswith("/modules/")}
    assert offered - MAY_OPEN[role] == set(), f"{role}'s navigation offers pages it may not open"
    expected = {name for name, _label, _perm in _all_nav_entries() if name in MAY_OPEN[role]}
    assert expected - offered == set(), f"{role} may open these navigation pages but is not offered them"


def test_nav_entries_declare_the_permission_of_their_page():
    for name, _label, perm in _all_nav_entries():
        assert getattr(resolve(reverse(name)).func, "required_permission", None) == perm, name


@pytest.mark.parametrize("role_name", ["operations"])
def test_operations_open_the_announcements_from_their_navigation(client, make_staff, role_name):
    client.force_login(make_staff(role_name))
    assert reverse("announcement_list") in _nav_links(client)
    assert client.get(reverse("announcement_list")).status_code == 200
