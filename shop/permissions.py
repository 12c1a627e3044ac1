"""Permissions are data next to the view (habit 7): `staff_view("catalog.view_product")`.

The decorated view carries `required_permission`, which the RBAC test reads for every URL.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

LOGIN_ONLY = None


def staff_view(permission=LOGIN_ONLY):
    """Require a logged-in, active staff user holding `permission` (None: any staff user)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if permission and not user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission
        wrapped.is_staff_view = True
        return wrapped

    return decorate
