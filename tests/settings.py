"""Test settings: production settings with test-friendly transport (no HTTPS redirect, fast hashing)."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server

from shop.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="houtai-media-"))  # noqa: F405
BACKUP_DIR = Path(tempfile.mkdtemp(prefix="houtai-backup-"))  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests run tasks in-process unless a test sends them to the real worker on purpose.
CELERY_TASK_ALWAYS_EAGER = True
PRICING_CACHE_SECONDS = 0  # a rolled-back test's promotions must not reach the next test
ROW_CACHE_SECONDS = 0  # likewise its store settings and payment methods (shop.cached)
LANGUAGE_CODE = "zh-hans"

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A real file, not pytest-django's shared in-memory database, so threads and the live server use
    # separate connections and the concurrency tests see SQLite's real locking. One directory per
    # process; pytest-xdist appends its worker id (_gw0, _gw1) to the name.
    import atexit
    import shutil

    _db_dir = tempfile.mkdtemp(prefix="houtai-testdb-")
    atexit.register(shutil.rmtree, _db_dir, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_db_dir) / "test.sqlite3")}  # noqa: F405
DASHBOARD_CACHE_SECONDS = 0  # the dashboard keeps its figures a minute; a test reads what it just wrote
# The test process starts without payment secrets on purpose: each test that takes callbacks sets its provider's
# secret (monkeypatch.setenv) and others check that a provider without one is refused. The startup check that a
# production server (DEBUG off) has real secrets is tested in a subprocess (tests/shop/test_access.py).
SILENCED_SYSTEM_CHECKS = ["payments.E001"]
