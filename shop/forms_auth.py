from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The login form; a wrong password and an unknown user get the same message."""

    error_messages = {
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("This account is deactivated. Ask the store owner."),
    }
