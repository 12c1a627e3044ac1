"""Domain errors: one base class with a code, a message and data (DESIGN, habit 4)."""


class DomainError(Exception):
    """A business rule refused the request. `status` is the API status it maps to."""

    code = "invalid"
    status = 400

    def __init__(self, message, *, code=None, status=None, **data):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.data = data


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class RuleRefused(DomainError):
    code = "rule_refused"
    status = 422
