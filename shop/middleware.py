"""Our middleware. A database that cannot answer is a retryable 503, not a 500: SQLite's write lock still taken after
the busy timeout, or (PostgreSQL) a server that is restarting, refuses connections or dropped the connection. A staff
session ends after a working day or when idle (IdleSessionMiddleware)."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

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


class IdleSessionMiddleware:
    """A staff session ends SESSION_IDLE_SECONDS after its last request, and SESSION_COOKIE_AGE after the login however
    busy it is; the next request goes to the login page and comes back to the page after it.

    The login time is in the session (start_session_clock, with the fixed expiry); the time of the last request is a
    cookie signed for this session key, renewed on every answer, so keeping the idle clock writes no session row
    (pages keep their query counts). Without a valid cookie (a copied session cookie alone) the login time counts."""

    COOKIE = "houtai_seen"
    SEEN = "_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def _salt(cls, request):
        return f"{cls.COOKIE}:{request.session.session_key}"

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            session, now = request.session, int(time.time())
            try:
                last = int(request.get_signed_cookie(self.COOKIE, default=0, salt=self._salt(request)))
            except ValueError:
                last = 0
            last = max(last, session.get(self.SEEN) or 0)
            if last and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                response = redirect_to_login(request.get_full_path())
                response.delete_cookie(self.COOKIE)
                return response
            if not last or session.get("_session_expiry") is None:  # a session from before these clocks
                start_session_clock(None, request, user)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(request, "session", None) is not None:
            if request.session.session_key:
                response.set_signed_cookie(
                    self.COOKIE,
                    str(int(time.time())),
                    salt=self._salt(request),
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response


def start_session_clock(sender, request, user, **kwargs):
    """At each login (user_logged_in): the working day and the idle clock start again."""
    session = getattr(request, "session", None)
    if session is not None:
        session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        session[IdleSessionMiddleware.SEEN] = int(time.time())
