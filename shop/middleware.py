"""A database that cannot answer is a retryable 503, not a 500: SQLite's write lock still taken after the busy
timeout, or (PostgreSQL) a server that is restarting, refuses connections or dropped the connection."""

import logging

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


SQLITE_BUGS = ("no such table", "no such column", "has no column", "syntax error")


def database_busy(exc) -> bool:
    """Whether `exc` says the database cannot answer now (a retry later may succeed): the embedded database's
    "database is locked" after its busy timeout, or a connection-level error (psycopg's OperationalError /
    InterfaceError: connection refused, server restarting or shutting down, connection closed). SQLite's
    OperationalErrors that name a schema or SQL mistake ("no such table") are bugs and stay a 500."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if connection.vendor == "sqlite" and any(text in str(exc) for text in SQLITE_BUGS):
        return False
    log.warning("database unavailable: %s", str(exc).strip()[:300])
    return True


class DatabaseBusyMiddleware:
    """Pages: a friendly "busy, try again" page with Retry-After (the API answers in its own format)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_page(request) if database_busy(exception) else None


def busy_page(request):
    """The friendly 503 page, also used by the 500 handler for an error outside a view (session save). Rendered
    without the request's context processors: they read the database that just failed."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
