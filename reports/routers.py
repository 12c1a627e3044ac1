"""Reports may read from a replica (DESIGN §6: DATABASE_REPLICA_URL). shop/settings.py adds the 'replica'
alias and this router only when the variable is set; tests and small stores run without it.

The router sends reads of reports' own tables to the replica and every write to the primary. Reports'
selectors that read another module's rows (the finance report reads payments) ask `read_alias()` and use
`.using(...)` explicitly, so the other modules' own reads stay on the primary.
"""

from django.conf import settings

REPLICA = "replica"


def read_alias() -> str:
    return REPLICA if REPLICA in settings.DATABASES else "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "reports" and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
