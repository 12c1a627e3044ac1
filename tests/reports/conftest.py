"""Fixtures of the reports tests: the orders tests' SKU, order and carrier fixtures, English pages."""

import pytest

from tests.orders.conftest import carrier, make_sku, paid, place  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
