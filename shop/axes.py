"""Login throttling per username AND per address (settings AXES_*): django-axes' database handler with a limit each.

With AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"] axes counts the failures of the username (from any address)
and of the address (for any username) separately and compares the larger with one AXES_FAILURE_LIMIT. Here the
address count is measured against its own AXES_IP_FAILURE_LIMIT instead, and the request remembers which of the two
locked it, so the locked page (templates/registration/locked.html) says whether the account or the address waits.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class UsernameOrAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        by_username, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = get_failure_limit(request, credentials)
        # The address's count on the username's scale: it reaches `limit` exactly when by_address reaches its own limit.
        scaled = by_address * limit // max(settings.AXES_IP_FAILURE_LIMIT, 1)
        request.axes_locked_by = "username" if by_username >= limit or scaled < limit else "ip_address"
        return max(by_username, scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears the failures of that username only: logging in to one's own account between
        guesses must not clear the address's count of failures on other accounts."""
        by_username = self.filter_user_attempts(request, credentials)[0]
        return by_username.delete()[0]
