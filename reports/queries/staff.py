"""Staff performance: what each staff user did in a period, from every module that offers the `staff_figures` hook.

Each module's AppConfig answers ``staff_figures(start=, end=)`` with columns
``{"key", "label", "kind": "count" | "duration" | "money", "values": {user_id: value}, "permission"?}``:
orders (orders shipped, time to ship), customers (messages answered, replies, first response), payments (refunds
approved and their amount), after-sales (complaints answered, when it offers the hook). Reports never names a
module here: a new module adds its columns by answering the hook.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from shop.hooks import hook_answers


@dataclass
class StaffReport:
    columns: list
    rows: list = field(default_factory=list)  # [{"user": User, "values": {key: value}}], by username


def staff_columns(*, start, end, user=None) -> list:
    """Every module's staff columns for [start, end); a column naming a permission only if `user` holds it."""
    columns = [column for answer in hook_answers("staff_figures", start=start, end=end) for column in answer]
    if user is not None:
        columns = [c for c in columns if not c.get("permission") or user.has_perm(c["permission"])]
    return columns


def staff_performance(*, start, end, user=None, only=None) -> StaffReport:
    """One row per staff user with a figure in [start, end) (or just `only`, a user id), username order."""
    columns = staff_columns(start=start, end=end, user=user)
    ids = {uid for column in columns for uid in column["values"]}
    if only is not None:
        ids &= {only}
    users = get_user_model().objects.filter(pk__in=ids).order_by("username")
    rows = [{"user": u, "values": {c["key"]: c["values"].get(u.pk) for c in columns}} for u in users]
    return StaffReport(columns=columns, rows=rows)
