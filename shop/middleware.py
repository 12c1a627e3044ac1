"""A write that cannot get SQLite's lock within the busy timeout is a retryable 503, not a 500."""

from django.db import OperationalError
from django.shortcuts import render

RETRY_AFTER_SECONDS = 5


def database_busy(exc) -> bool:
    """Whether `exc` is the embedded database's "database is locked" after its busy timeout."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc)


class DatabaseBusyMiddleware:
    """Pages: a friendly "busy, try again" page with Retry-After (the API answers in its own format)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_page(request) if database_busy(exception) else None


def busy_page(request):
    """The friendly 503 page, also used by the 500 handler for a lock outside a view (session save)."""
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
