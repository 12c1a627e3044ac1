"""Real threads on the real database: customers racing to review one order line get one review."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from aftersales.models import Review
from aftersales.services import review_post
from shop.errors import DomainError
from tests.aftersales.reviews_data import make_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_posts_of_one_line_make_one_review():
    number = make_order().number

    def send(i):
        try:
            return review_post(order_number=number, rating=1 + i % 5, text=f"第{i}次").pk
        except DomainError as e:
            return e.code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    assert results.count("already_reviewed") == 7
    assert Review.objects.count() == 1
