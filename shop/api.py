"""The integration API (DESIGN §4): /api/v1/, Bearer API keys with scopes, one error format.

Each module app exposes `router` in its `api.py`; they are mounted here by discovery, so shop
imports no module app by name.
"""

import importlib
import importlib.util

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shop.apiauth import ApiKeyAuth
from shop.errors import DomainError
from shop.middleware import RETRY_AFTER_SECONDS, database_busy
from shop.models import MODULE_APPS

api = NinjaAPI(
    title="Houtai API",
    version="1",
    urls_namespace="api",
    auth=ApiKeyAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error(request, status, code, message, fields=None):
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request, exc):
    return error(request, exc.status, exc.code, exc.message, exc.data.get("fields"))


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error(request, 401, "unauthorized", _("A valid API key is required (Authorization: Bearer <key>)."))


# The schema layer's (pydantic's) error types in the words of every other message: gettext, so they come
# out in the request's language. `ctx` holds the limit the input broke.
VALIDATION_MESSAGES = {
    "missing": lambda c: _("This field is required."),
    "string_too_short": lambda c: (
        ngettext("At least %(n)s character.", "At least %(n)s characters.", c["min_length"]) % {"n": c["min_length"]}
    ),
    "string_too_long": lambda c: (
        ngettext("At most %(n)s character.", "At most %(n)s characters.", c["max_length"]) % {"n": c["max_length"]}
    ),
    "too_short": lambda c: (
        ngettext("At least %(n)s item.", "At least %(n)s items.", c["min_length"]) % {"n": c["min_length"]}
    ),
    "too_long": lambda c: (
        ngettext("At most %(n)s item.", "At most %(n)s items.", c["max_length"]) % {"n": c["max_length"]}
    ),
    "greater_than_equal": lambda c: _("Must be %(n)s or more.") % {"n": c["ge"]},
    "less_than_equal": lambda c: _("Must be %(n)s or less.") % {"n": c["le"]},
    "greater_than": lambda c: _("Must be more than %(n)s.") % {"n": c["gt"]},
    "less_than": lambda c: _("Must be less than %(n)s.") % {"n": c["lt"]},
    "int_parsing": lambda c: _("Enter a whole number."),
    "int_type": lambda c: _("Enter a whole number."),
    "int_from_float": lambda c: _("Enter a whole number."),
    "int_parsing_size": lambda c: _("Enter a whole number."),
    "float_parsing": lambda c: _("Enter a number."),
    "float_type": lambda c: _("Enter a number."),
    "decimal_parsing": lambda c: _("Enter a number."),
    "decimal_type": lambda c: _("Enter a number."),
    "finite_number": lambda c: _("Enter a number."),
    "string_type": lambda c: _("Enter text."),
    "bool_parsing": lambda c: _("Enter true or false."),
    "bool_type": lambda c: _("Enter true or false."),
    "datetime_parsing": lambda c: _("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": lambda c: _("Enter a date and time (ISO 8601)."),
    "datetime_type": lambda c: _("Enter a date and time (ISO 8601)."),
    "date_parsing": lambda c: _("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": lambda c: _("Enter a date (YYYY-MM-DD)."),
    "date_type": lambda c: _("Enter a date (YYYY-MM-DD)."),
    "model_type": lambda c: _("Expected an object."),
    "model_attributes_type": lambda c: _("Expected an object."),
    "dict_type": lambda c: _("Expected an object."),
    "list_type": lambda c: _("Expected a list."),
    "json_invalid": lambda c: _("The body is not valid JSON."),
    "ip_any_address": lambda c: _("Enter a valid IP address."),
    "ip_v4_address": lambda c: _("Enter a valid IP address."),
    "ip_v6_address": lambda c: _("Enter a valid IP address."),
    "uuid_parsing": lambda c: _("Enter a valid UUID."),
    "uuid_type": lambda c: _("Enter a valid UUID."),
    "enum": lambda c: _("Choose one of: %(choices)s.") % {"choices": c.get("expected", "")},
    "literal_error": lambda c: _("Choose one of: %(choices)s.") % {"choices": c.get("expected", "")},
    "extra_forbidden": lambda c: _("Unknown field."),
}


def validation_message(item) -> str:
    """One schema validation error in the request's language (any type not listed: a generic message)."""
    try:
        return str(VALIDATION_MESSAGES[item.get("type")](item.get("ctx") or {}))
    except (KeyError, TypeError, ValueError):
        return _("This value is not valid.")


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    fields = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "body", validation_message(item))
    return error(request, 400, "validation", _("The request is not valid."), fields)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:  # ninja's only one: "Cannot parse request body"
        message = _("The body is not valid JSON.")
        return error(request, 400, "validation", message, {"body": message})
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that no endpoint serves, for every method: 404 in the error format
    (mounted after the API's own URLs in shop/urls.py)."""
    return _not_found(request, None)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (e.g. too many base64 images): 413 in the error format."""
    from django.conf import settings

    limit = round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20, 1)
    message = _("The request is larger than %(mb)s MB.") % {"mb": limit}
    return error(request, 413, "body_too_large", message)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_busy(request, exc):
    """The database cannot answer (SQLite's lock after the busy timeout, PostgreSQL down or restarting):
    a retryable 503 in the error format, never a 500."""
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
    except Exception:
        database = "down"
    if not settings.REDIS_URL:
        queue = "in-process"
    else:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            queue = "ok"
        except Exception:
            queue = "down"
    status = "ok" if database == "ok" and queue != "down" else "degraded"
    return api.create_response(
        request, {"status": status, "database": database, "queue": queue}, status=200 if status == "ok" else 503
    )


@api.get("/whoami", tags=["system"])
def whoami(request):
    """The presented key's name and scopes: a way for integrators to test their key."""
    return {"name": request.api_key.name, "scopes": request.api_key.scopes}


for label in MODULE_APPS:
    if importlib.util.find_spec(f"{label}.api"):
        api.add_router("/", importlib.import_module(f"{label}.api").router)
