"""The one list class: keyset pages cover every row exactly once, forwards and back, whatever the sort."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from shop.lists import Column, ListPage
from shop.models import Announcement


class AnnouncementList(ListPage):
    columns = [Column("title", "title"), Column("ends_at", "ends"), Column("starts_at", "starts")]
    default_ordering = "-starts_at"

    def scope(self):
        return Announcement.objects.all()


def _page(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    return AnnouncementList(request).page()


@pytest.fixture
def announcements(db):
    now = timezone.now()
    # Ties on every key and NULLs in a nullable one: the hard cases for a keyset.
    Announcement.objects.bulk_create(
        [
            Announcement(
                title=f"公告{i % 7}",
                starts_at=now - timedelta(hours=i % 5),
                ends_at=None if i % 4 == 0 else now + timedelta(days=1 + i % 3),
            )
            for i in range(47)
        ]
    )
    return list(Announcement.objects.all())


def _walk(user, ordering, per_page=20):
    pages, params = [], {"o": ordering, "per_page": per_page}
    while True:
        page = _page(user, **params)
        pages.append(page)
        if not page.next_cursor:
            return pages
        params["after"] = page.next_cursor


@pytest.mark.parametrize("ordering", ["-starts_at", "starts_at", "title", "-title", "ends_at", "-ends_at"])
def test_pages_forward_cover_every_row_once_in_order(owner, announcements, ordering):
    pages = _walk(owner, ordering)
    seen = [a.pk for p in pages for a in p.rows]
    assert sorted(seen) == sorted(a.pk for a in announcements) and len(pages) == 3
    key = ordering.lstrip("-")
    values = [getattr(a, key) for p in pages for a in p.rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=ordering.startswith("-"))
    assert values[len(present) :] == [None] * (len(values) - len(present))  # empty values last either way


@pytest.mark.parametrize("ordering", ["-starts_at", "ends_at", "-ends_at"])
def test_previous_walks_back_over_the_same_pages(owner, announcements, ordering):
    forward = _walk(owner, ordering)
    page = forward[-1]
    back = [page]
    while page.previous_cursor:
        page = _page(owner, o=ordering, per_page=20, before=page.previous_cursor)
        back.append(page)
    assert [[a.pk for a in p.rows] for p in reversed(back)] == [[a.pk for a in p.rows] for p in forward]
    assert back[-1].is_first


@pytest.mark.parametrize(
    "junk", ["x", "eyJ9", "W3siZHQiOiJ4In0sMV0", "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAsMV0", "W251bGwsIm51bGwiLDFd" * 200]
)
def test_a_junk_cursor_shows_the_first_page(owner, announcements, junk):
    assert _page(owner, after=junk).is_first and len(_page(owner, after=junk).rows) == 20


def test_no_offset_reaches_the_database(owner, announcements, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    second = _walk(owner, "-starts_at")[1]
    with CaptureQueriesContext(connection) as queries:
        _page(owner, after=_walk(owner, "-starts_at")[0].next_cursor)
    assert second.rows and all("OFFSET" not in q["sql"].upper() for q in queries.captured_queries)
