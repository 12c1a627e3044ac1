"""Startup check: with DEBUG off every provider needs its own callback secret from the environment.

The sandbox's development secrets (`sandbox-dev-secret-<code>`, used with DEBUG on) are public: a production server
that accepted them would take a forged "paid" callback from anyone who read this code. With DEBUG off such a secret,
or none, is a system check ERROR (payments.E001), so `manage.py migrate` / `check` / `runserver` refuse to start, and
shop/wsgi.py runs the checks tagged `startup` before gunicorn serves.
"""

from django.conf import settings
from django.core import checks

MIN_LENGTH = 16


@checks.register(checks.Tags.security, "startup")
def payment_secrets_configured(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    from payments.gateways import PROVIDERS, env

    errors = []
    for code in PROVIDERS:
        name = f"PAYMENT_SECRET_{code.upper()}"
        value = env.str(name, default="")
        if not value or value.startswith("sandbox-dev-secret") or len(value) < MIN_LENGTH:
            errors.append(
                checks.Error(
                    f"{name} is {'not set' if not value else 'a development or too short secret'}: with DEBUG off "
                    f"the {code} provider's callbacks need the real secret from the provider.",
                    hint=f"Set {name} in the environment (at least {MIN_LENGTH} characters); the sandbox's "
                    "development secrets only serve with DEBUG=true.",
                    id="payments.E001",
                )
            )
    return errors
