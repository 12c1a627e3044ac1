"""Every list's filters start at 全部 (All): yes/no filters, choice and model-choice filters alike."""

import re

import django_filters
import pytest
from django.urls import reverse


def _all_filtersets(cls=django_filters.FilterSet):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_filtersets(sub)


def test_every_list_filter_builds_on_the_shared_base():
    import catalog.filters  # noqa: F401
    from shop.lists import FilterSet

    outside = [
        f"{c.__module__}.{c.__name__}"
        for c in _all_filtersets()
        if not issubclass(c, FilterSet)
        and c.__module__.split(".")[0]
        in {"shop", "catalog", "customers", "inventory", "marketing", "orders", "payments", "aftersales", "reports"}
    ]
    assert outside == []


@pytest.mark.parametrize(
    "url",
    [
        "staff_list",
        "orders:order_list",
        "inventory:warehouse_list",
        "audit_list",
        "payments:payment_list",
        "catalog:product_list",
    ],
)
def test_unset_filters_read_all(owner_client, url):
    html = owner_client.get(reverse(url)).content.decode()
    form = html[html.index('class="filters"') :]
    form = form[: form.index("</form>")]
    selects = re.findall(
        r"<select name=\"(?!per_page)[^\"]+\"[^>]*>\s*<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", form
    )
    assert selects, "the page has filter selects"
    assert set(selects) == {"全部"}
    assert "未知" not in form and "---------" not in form


def test_a_yes_no_filter_still_filters(owner_client, make_staff):
    make_staff("finance", username="gone", is_active=False)
    html = owner_client.get(reverse("staff_list"), {"is_active": "false"}).content.decode()
    assert "gone" in html and "owner_user" not in html.split('class="list"')[1]
