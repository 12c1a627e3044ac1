"""The integration API (DESIGN §4): /api/v1/, Bearer API keys with scopes, one error format.

Each module app exposes `router` in its `api.py`; they are mounted here by discovery, so shop
imports no module app by name.
"""
import importlib
import importlib.util

from django.db import OperationalError, connection
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from shop import services
from shop.errors import DomainError
from shop.middleware import RETRY_AFTER_SECONDS, database_busy
from shop.models import MODULE_APPS


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request, token):
        try:
            request.api_key = services.apikey_authenticate(token)
        except DomainError:
            return None
        return request.api_key


def require_scope(request, scope):
    """Refuse (403) a key that lacks `scope`."""
    if scope not in request.api_key.scopes:
        raise DomainError(_("This API key lacks the scope %(s)s.") % {"s": scope}, code="forbidden", status=403)


api = NinjaAPI(title="Houtai API", version="1", urls_namespace="api", auth=ApiKeyAuth(),
               openapi_url="/openapi.json", docs_url="/docs")


def error(request, status, code, message, fields=None):
    return api.create_response(request, {"error": {"code": code, "message": str(message), "fields": fields or {}}},
                               status=status)


@api.exception_handler(DomainError)
def _domain_error(request, exc):
    return error(request, exc.status, exc.code, exc.message, exc.data.get("fields"))


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error(request, 401, "unauthorized", _("A valid API key is required (Authorization: Bearer <key>)."))


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    fields = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "body"] = item.get("msg", "")
    return error(request, 400, "validation", _("The request is not valid."), fields)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(OperationalError)
def _database_busy(request, exc):
    """SQLite's write lock still taken after the busy timeout: a retryable 503, never a 500."""
    if not database_busy(exc):
        raise exc
    response = error(request, 503, "busy", _("The store is busy; nothing was saved. Retry in a few seconds."))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.get("/health", auth=None, tags=["system"])
def health(request):
    """Liveness of the database and the job queue."""
    from django.conf import settings

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - a health check reports, it does not raise
        database = "down"
    if not settings.REDIS_URL:
        queue = "in-process"
    else:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            queue = "ok"
        except Exception:  # noqa: BLE001
            queue = "down"
    status = "ok" if database == "ok" and queue != "down" else "degraded"
    return api.create_response(request, {"status": status, "database": database, "queue": queue},
                               status=200 if status == "ok" else 503)


@api.get("/whoami", tags=["system"])
def whoami(request):
    """The presented key's name and scopes: a way for integrators to test their key."""
    return {"name": request.api_key.name, "scopes": request.api_key.scopes}


for label in MODULE_APPS:
    if importlib.util.find_spec(f"{label}.api"):
        api.add_router("/", importlib.import_module(f"{label}.api").router)
