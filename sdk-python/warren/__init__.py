"""Warren's Python SDK: sandboxes for AI agents. Standard library only.

    from warren import Sandbox
    sandbox = Sandbox.create()
    print(sandbox.commands.run('python3 -c "print(6*7)"').stdout)
    sandbox.kill()

`warren.aio.AsyncSandbox` is the same, awaitable. Credentials: WARREN_API_KEY and WARREN_API_URL,
or api_key= / api_url= on create, connect and list.
"""
from .aio import AsyncSandbox
from .commands import CommandHandle, CommandResult
from .errors import (AuthenticationError, ConflictError, NotFoundError, PaymentRequiredError, PermissionError,
                     QuotaError, RateLimitError, TimeoutError, UnavailableError, ValidationError, WarrenError)
from .pty import PtyHandle
from .sandbox import Sandbox

__all__ = ["Sandbox", "AsyncSandbox", "CommandHandle", "CommandResult", "PtyHandle", "WarrenError", "AuthenticationError",
           "PermissionError", "NotFoundError", "ConflictError", "ValidationError", "PaymentRequiredError", "QuotaError",
           "RateLimitError", "TimeoutError", "UnavailableError"]
