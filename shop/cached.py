"""Rows read by every request or every order and changed rarely by staff (store settings, payment methods),
kept in the Django cache and dropped when they change.

`cached(key, load)` answers the cached value or loads, stores and answers it. `drop_on_change(key, *models)`
connects post_save / post_delete of the models to drop the key at once and again when the writing
transaction commits (a reader between the save and the commit may have cached the old row). With Redis
(REDIS_URL) the cache is shared, so every process sees the drop; without it the cache is per process and
another process sees a change within `ROW_CACHE_SECONDS` (default 60; the test settings use 0: a
rolled-back test's rows must not reach the next test). A `QuerySet.update()` sends no signal: writers of
these rows save them.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

PREFIX = "rowcache:"
_MISSING = object()


def cached(key, load):
    seconds = getattr(settings, "ROW_CACHE_SECONDS", 60)
    if not seconds:
        return load()
    try:
        value = cache.get(PREFIX + key, _MISSING)
    except Exception:  # Redis down: read the database, as without a cache
        return load()
    if value is _MISSING:
        value = load()
        try:
            cache.set(PREFIX + key, value, seconds)
        except Exception:
            pass
    return value


def drop(key):
    try:
        cache.delete(PREFIX + key)
    except Exception:  # Redis down: nothing is being served from it either
        pass


def drop_on_change(key, *models):
    def changed(**_kwargs):
        drop(key)
        transaction.on_commit(lambda: drop(key))

    for model in models:
        uid = f"rowcache:{key}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")
