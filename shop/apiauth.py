"""API-key authentication and scopes for the integration API (DESIGN §4), used by every app's api.py.

Kept apart from shop.api (which mounts the apps' routers) so an app's api module imports it at the top
without an import cycle.
"""

from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from shop import services
from shop.errors import DomainError


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`: the key's record on the request, or None (401)."""

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


def api_actor(request) -> str:
    """Who acts for an API request: "api:<key name>" (shown as API：<name> in the audit log and timelines)."""
    return f"api:{request.api_key.name}"[:150]
