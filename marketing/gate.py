"""The Redis gate in front of the flash-sale database path.

An atomic Lua check-and-decrement of a SKU's units left that also enforces the per-customer limit: it turns
away the sold-out and over-limit requests before they open a database transaction. The database stays the
source of truth — every request the gate admits still takes its units with the guarded UPDATE — so the gate
may only be wrong on the safe side, and what it admitted for an intake that then failed is given back.

Keys (per flash-sale SKU): `flash:<item>:left` (units left) and the hash `flash:<item>:buyers`
(buyer phone -> units). They are loaded from the database when missing and dropped when the session ends.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings

TAKE = """
local left = redis.call('GET', KEYS[1])
if not left then return -1 end
local qty = tonumber(ARGV[1])
if tonumber(left) < qty then return 0 end
local had = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if had + qty > tonumber(ARGV[3]) then return -2 end
redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], ARGV[2], qty)
return 1
"""
GIVE = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[1]) end
if redis.call('HINCRBY', KEYS[2], ARGV[2], -tonumber(ARGV[1])) <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
return 1
"""
LOAD = """
if redis.call('SETNX', KEYS[1], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[2])
  for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
return 1
"""
OK, SOLD_OUT, NOT_LOADED, OVER_LIMIT = 1, 0, -1, -2

_client = None
_scripts: dict = {}
_taken: contextvars.ContextVar = contextvars.ContextVar("flash_gate_taken", default=None)


def enabled() -> bool:
    return bool(settings.REDIS_URL) and settings.FLASH_SALE_GATE == "redis"


def client():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        for name, body in (("take", TAKE), ("give", GIVE), ("load", LOAD)):
            _scripts[name] = _client.register_script(body)
    return _client


def keys(item_id) -> list[str]:
    return [f"flash:{item_id}:left", f"flash:{item_id}:buyers"]


def take(item_id, buyer, quantity, limit, loader) -> int:
    """OK, SOLD_OUT or OVER_LIMIT; `loader()` gives (left, {buyer: units}) when the keys are missing."""
    client()
    for _attempt in range(2):
        answer = int(_scripts["take"](keys=keys(item_id), args=[quantity, buyer, limit]))
        if answer != NOT_LOADED:
            if answer == OK:
                taken = _taken.get()
                if taken is not None:
                    taken.append((item_id, buyer, quantity))
            return answer
        left, buyers = loader()
        flat = [str(left)]
        for who, units in buyers.items():
            flat += [who, str(units)]
        _scripts["load"](keys=keys(item_id), args=flat)
    return SOLD_OUT


def give(item_id, buyer, quantity):
    client()
    _scripts["give"](keys=keys(item_id), args=[quantity, buyer])


def drop(item_id):
    client().delete(*keys(item_id))


@contextmanager
def scope():
    """Give back what the gate admitted inside this block when the block fails (the intake rolled back)."""
    taken: list = []
    token = _taken.set(taken)
    try:
        yield taken
    except BaseException:
        undo(taken)
        raise
    finally:
        _taken.reset(token)


def undo(taken):
    """Give back what the gate took (the intake failed, or answered with an earlier order)."""
    while taken:
        give(*taken.pop())
