"""The shared cache (Redis when REDIS_URL is set) as a cache should be: when Redis is down, a read is a miss and a
write is skipped, so every page keeps answering from the database (RELIABILITY.md: Redis stopped). What the cache
holds is always a copy with a short life (store settings, filter choices, dashboard figures, version stamps)."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OUTAGE as e:
            log.warning("cache %s skipped: Redis is not answering (%s)", name, e)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    """django's RedisCache whose reads miss and writes pass while Redis is down (`incr`/`decr` still raise: a
    counter that cannot count must say so)."""

    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", {})
    has_key = _tolerant("has_key", False)
    add = _tolerant("add", False)
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", lambda data, *a, **k: list(data))
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    clear = _tolerant("clear", None)
