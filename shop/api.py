"""The integration API (DESIGN §4): /api/v1/, Bearer API keys with scopes, one error format.

Each module app exposes `router` in its `api.py`; they are mounted here by discovery, so shop
imports no module app by name.
"""

import importlib
import importlib.util

import ninja
import ninja.parser
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError, connection
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


def unstorable_text(value, loc=()):
    """Where in a parsed JSON value (keys included) text holds what no text column can store: a NUL
    character (PostgreSQL refuses it) or a lone surrogate (not UTF-8). A list of ninja error dicts."""
    found = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append({"type": "string_nul", "loc": loc, "msg": "NUL character"})
        else:
            try:
                value.encode()
            except UnicodeEncodeError:
                found.append({"type": "string_unicode", "loc": loc, "msg": "not UTF-8"})
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unstorable_text(key, (*loc, "key")) + unstorable_text(item, (*loc, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += unstorable_text(item, (*loc, i))
    return found


class Parser(ninja.parser.Parser):
    """JSON bodies and query strings, refused (400, naming the field) where their text cannot be stored."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if errors := unstorable_text(data, ("body",)):
            raise ValidationError(errors)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if errors := unstorable_text(result, ("query",)):
            raise ValidationError(errors)
        return result


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The endpoints' schema, with the one error format (DESIGN §4) declared for every 4xx of every
        operation and for 503 (the database or queue cannot answer; retry)."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        described = {
            "4XX": "Refused: 400 validation, 401/403 key or scope, 404, 409 conflict, 413 too large, 422 rule",
            "503": "Busy: nothing was saved; retry after Retry-After seconds",
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, description in described.items():
                    operation["responses"].setdefault(
                        code,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    )
        return schema


api = Api(
    parser=Parser(),
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
    "string_nul": lambda c: _("Text may not contain NUL characters."),
    "string_unicode": lambda c: _("Text must be valid Unicode."),
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
    if exc.status_code == 400 and isinstance(exc.__cause__, ValidationError):  # Parser refused the body's text
        return _validation_error(request, exc.__cause__)
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


@api.exception_handler(DataError)
def _data_error(request, exc):
    """A value the database refuses to store or compare (a NUL character in a path, a number past the
    column's range): the caller's input, so 400 in the error format; the use case's transaction has rolled
    back."""
    message = _("A value in the request cannot be stored (too large, or holding a NUL character).")
    return error(request, 400, "validation", message, {"body": message})


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


class HealthOut(ninja.Schema):
    status: str
    database: str
    queue: str


@api.get("/health", auth=None, tags=["system"], response={200: HealthOut, 503: HealthOut})
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
