"""The site's URLs plus one view that raises: the 500 page a real bug shows (tests/shop/test_access.py)."""

from django.urls import path

from shop.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("boom/", boom)]
