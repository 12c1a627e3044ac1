import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()


def _refuse_to_serve_misconfigured():
    """gunicorn runs no system checks: run the ones tagged `startup` (e.g. payments.E001, real payment secrets with
    DEBUG off) and refuse to start on an error, as `manage.py check` / `migrate` would."""
    from django.conf import settings
    from django.core import checks

    silenced = set(settings.SILENCED_SYSTEM_CHECKS)
    errors = [e for e in checks.run_checks(tags=["startup"]) if e.is_serious() and e.id not in silenced]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg} {e.hint or ''}".strip() for e in errors))


_refuse_to_serve_misconfigured()
