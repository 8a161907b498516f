"""The one place HTTP happens: auth, JSON, typed errors, deadlines, and retries only where
repeating cannot do a thing twice (reads, deletes, and POSTs under an Idempotency-Key)."""
import json
import os
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterable, Optional, Union

from .errors import TimeoutError, UnavailableError, WarrenError, error_for

Query = Dict[str, Union[str, int, bool, None, Iterable[str]]]


class Connection:
    """Options first, then WARREN_API_KEY / WARREN_API_URL from the environment."""

    def __init__(self, api_key: Optional[str] = None, api_url: Optional[str] = None, max_retries: int = 3, request_timeout: float = 60.0):
        self.api_key = api_key or os.environ.get("WARREN_API_KEY")
        if not self.api_key:
            raise WarrenError("No Warren API key: pass api_key= or set WARREN_API_KEY", code="no_api_key")
        url = (api_url or os.environ.get("WARREN_API_URL") or "http://localhost:3000").rstrip("/")
        self.api_url = url[: -len("/api/v1")] if url.endswith("/api/v1") else url
        self.base = self.api_url + "/api/v1"
        self.max_retries = max_retries
        self.request_timeout = request_timeout


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # an API answer is never a redirect to follow
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class ApiClient:
    def __init__(self, conn: Connection):
        self.conn = conn

    def url(self, path: str, query: Optional[Query] = None) -> str:
        pairs = []
        for k, v in (query or {}).items():
            if v is None:
                continue
            for one in v if isinstance(v, (list, tuple)) else [v]:
                pairs.append((k, str(one).lower() if isinstance(one, bool) else str(one)))
        return self.conn.base + path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def request(self, method: str, path: str, query: Optional[Query] = None, json_body: Any = None, body: Any = None,
                headers: Optional[Dict[str, str]] = None, idempotent: bool = False, retry: Optional[bool] = None,
                timeout: Optional[float] = None):
        """Returns the open response (read it, or iterate it for streams); raises a WarrenError."""
        h = {"authorization": "Bearer " + self.conn.api_key, "user-agent": "warren-python/0.1"}
        h.update(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            h["content-type"] = "application/json"
        if idempotent:
            h["idempotency-key"] = str(uuid.uuid4())
        retryable = retry if retry is not None else (idempotent or method in ("GET", "DELETE"))
        can_repeat = retryable and (body is None or isinstance(body, (bytes, bytearray)))
        attempt = 0
        while True:
            req = urllib.request.Request(self.url(path, query), data=body, headers=h, method=method)
            try:
                return _opener.open(req, timeout=timeout or self.conn.request_timeout)
            except urllib.error.HTTPError as e:
                retry_after = _retry_after(e.headers.get("retry-after"))
                err = error_for(e.code, _error_body(e), retry_after)
                again = attempt < self.conn.max_retries and (
                    (e.code == 429 and err.code == "rate_limited" and (body is None or isinstance(body, (bytes, bytearray))))
                    or (can_repeat and (e.code >= 502 or (e.code == 409 and retry_after is not None))))
                if not again:
                    raise err from None
                time.sleep(retry_after if retry_after is not None else _backoff(attempt))
            except (socket.timeout, TimeoutError) as e:
                if not (can_repeat and attempt < self.conn.max_retries):
                    raise TimeoutError("%s %s: no answer within %ss" % (method, path, timeout or self.conn.request_timeout), 0, "client_timeout") from e
                time.sleep(_backoff(attempt))
            except (urllib.error.URLError, ConnectionError, OSError) as e:
                if isinstance(getattr(e, "reason", None), socket.timeout):
                    raise TimeoutError("%s %s: no answer in time" % (method, path), 0, "client_timeout") from e
                if not (can_repeat and attempt < self.conn.max_retries):
                    raise UnavailableError("%s %s: %s" % (method, path, getattr(e, "reason", e)), 0, "network_error") from e
                time.sleep(_backoff(attempt))
            attempt += 1

    def json(self, method: str, path: str, **kw) -> Any:
        with self.request(method, path, **kw) as res:
            return json.loads(res.read() or b"null")


def _backoff(attempt: int) -> float:
    return min(4.0, 0.2 * 2 ** attempt) * (0.5 + random.random() / 2)


def _retry_after(v: Optional[str]) -> Optional[float]:
    try:
        return min(float(v), 60.0) if v is not None else None
    except ValueError:
        return None


def _error_body(e: urllib.error.HTTPError) -> Optional[Dict[str, Any]]:
    try:
        return json.loads(e.read()).get("error")
    except Exception:
        return None


def ndjson(res) -> Iterable[Dict[str, Any]]:
    """JSON lines of a streaming response, as they arrive."""
    with res:
        for line in res:
            line = line.strip()
            if line:
                yield json.loads(line)
