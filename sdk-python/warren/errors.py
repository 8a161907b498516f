"""Typed errors. Every API error is {"error": {"code", "message", "details"?}}; the class says what
a caller can do about it without parsing messages (mirrors the TypeScript SDK's errors)."""
import builtins
from typing import Any, Dict, Optional


class WarrenError(Exception):
    def __init__(self, message: str, status: int = 0, code: str = "", details: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.message = message
        self.status = status  # HTTP status, or 0 when no answer came
        self.code = code  # the API's error code (not_found, quota_exceeded, ...) or the SDK's own
        self.details = details or {}


class AuthenticationError(WarrenError):
    pass


class PermissionError(WarrenError, builtins.PermissionError):
    """The key's role cannot do this, or the org is suspended (code org_suspended)."""


class NotFoundError(WarrenError):
    """Unknown (or another org's) sandbox, snapshot, file or process."""


class ConflictError(WarrenError):
    """Wrong state, a taken name, or a request still being processed."""


class ValidationError(WarrenError):
    pass


class PaymentRequiredError(WarrenError):
    pass


class QuotaError(WarrenError):
    """A plan or org limit: `limit` names it, `max` is the ceiling, `current` what is in use."""

    @property
    def limit(self) -> Optional[str]:
        return self.details.get("limit")

    @property
    def max(self) -> Optional[float]:
        return self.details.get("max")

    @property
    def current(self) -> Optional[float]:
        return self.details.get("current")


class RateLimitError(WarrenError):
    def __init__(self, message: str, status: int, code: str, details: Optional[Dict[str, Any]], retry_after: float):
        super().__init__(message, status, code, details)
        self.retry_after = retry_after  # seconds, from the server's Retry-After


class TimeoutError(WarrenError, builtins.TimeoutError):
    """No answer in time (the SDK's deadline, a command's timeout, or the server's 504)."""


class UnavailableError(WarrenError):
    """Unreachable or unavailable (network error, 502/503)."""


def error_for(status: int, body: Optional[Dict[str, Any]], retry_after: Optional[float]) -> WarrenError:
    body = body or {}
    code = body.get("code") or "http_%d" % status
    message = body.get("message") or "HTTP %d" % status
    details = body.get("details")
    if status == 401:
        return AuthenticationError(message, status, code, details)
    if status == 403:
        return PermissionError(message, status, code, details)
    if status == 404:
        return NotFoundError(message, status, code, details)
    if status == 409:
        return ConflictError(message, status, code, details)
    if status == 402:
        return PaymentRequiredError(message, status, code, details)
    if status in (400, 413, 422):
        return ValidationError(message, status, code, details)
    if status == 429 and code == "quota_exceeded":
        return QuotaError(message, status, code, details)
    if status == 429:
        return RateLimitError(message, status, code, details, retry_after if retry_after is not None else 1)
    if status == 504:
        return TimeoutError(message, status, code, details)
    if status in (502, 503):
        return UnavailableError(message, status, code, details)
    return WarrenError(message, status, code, details)
