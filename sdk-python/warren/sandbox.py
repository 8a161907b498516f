"""A sandbox: Sandbox.create(), then commands, files, pty, ports, snapshots and lifecycle.
Everything is an API call on the sandbox's id; `info` is what the API said last."""
import urllib.parse
from typing import Dict, List, Optional

from ._http import ApiClient, Connection
from .commands import Commands
from .files import Files
from .pty import Pty

# Python keyword names → the API's field names (Sandbox.create(memory_mb=512) → memoryMb).
_FIELDS = {"memory_mb": "memoryMb", "disk_mb": "diskMb", "timeout_sec": "timeoutSec", "idle_timeout_sec": "idleTimeoutSec",
           "on_timeout": "onTimeout", "snapshot_id": "snapshotId"}


def _body(opts: dict) -> dict:
    return {_FIELDS.get(k, k): v for k, v in opts.items() if v is not None}


def _conn(api_key, api_url, max_retries, request_timeout) -> ApiClient:
    return ApiClient(Connection(api_key, api_url, max_retries, request_timeout))


class Ports:
    def __init__(self, api: ApiClient, sandbox_id: str):
        self._api, self._base = api, "/sandboxes/%s/ports" % sandbox_id

    def expose(self, port: int, public: bool = False) -> dict:
        """Makes a port reachable at its preview URL (private unless public); returns it with its url."""
        return self._api.json("POST", self._base, json_body={"port": port, "public": public})

    def list(self) -> List[dict]:
        return self._api.json("GET", self._base)["ports"]

    def unexpose(self, port: int) -> None:
        self._api.request("DELETE", "%s/%d" % (self._base, port)).close()


class Sandbox:
    def __init__(self, api: ApiClient, info: dict):
        self._api = api
        self.info = info
        self.commands = Commands(api, info["id"])
        self.files = Files(api, info["id"])
        self.pty = Pty(api, info["id"])
        self.ports = Ports(api, info["id"])

    @property
    def id(self) -> str:
        return self.info["id"]

    @classmethod
    def create(cls, template: Optional[str] = None, cpu: Optional[float] = None, memory_mb: Optional[int] = None,
               timeout_sec: Optional[int] = None, env: Optional[Dict[str, str]] = None, secrets: Optional[List[str]] = None,
               metadata: Optional[Dict[str, str]] = None, network: Optional[dict] = None, name: Optional[str] = None,
               on_timeout: Optional[str] = None, api_key: Optional[str] = None, api_url: Optional[str] = None,
               max_retries: int = 3, request_timeout: float = 60.0, **more) -> "Sandbox":
        """Creates a sandbox (a retry after a lost answer returns the same one: Idempotency-Key).
        Other API fields (disk_mb, idle_timeout_sec, snapshot_id, …) pass through `more`."""
        api = _conn(api_key, api_url, max_retries, request_timeout)
        body = _body(dict(template=template, cpu=cpu, memory_mb=memory_mb, timeout_sec=timeout_sec, env=env, secrets=secrets,
                          metadata=metadata, network=network, name=name, on_timeout=on_timeout, **more))
        return cls(api, api.json("POST", "/sandboxes", json_body=body, idempotent=True))

    @classmethod
    def connect(cls, id_or_name: str, api_key: Optional[str] = None, api_url: Optional[str] = None, **kw) -> "Sandbox":
        api = _conn(api_key, api_url, kw.get("max_retries", 3), kw.get("request_timeout", 60.0))
        return cls(api, api.json("GET", "/sandboxes/" + urllib.parse.quote(id_or_name, safe="")))

    @classmethod
    def list(cls, metadata: Optional[Dict[str, str]] = None, state: Optional[str] = None, limit: int = 1000,
             api_key: Optional[str] = None, api_url: Optional[str] = None) -> List[dict]:
        """The org's live sandboxes, newest first, all pages up to `limit`."""
        api = _conn(api_key, api_url, 3, 60.0)
        out: List[dict] = []
        cursor = None
        while True:
            query = {"state": state, "metadata": ["%s:%s" % kv for kv in (metadata or {}).items()], "cursor": cursor,
                     "limit": min(100, limit - len(out))}
            page = api.json("GET", "/sandboxes", query=query)
            out += page["sandboxes"]
            cursor = page.get("nextCursor")
            if not cursor or len(out) >= limit:
                return out

    def _act(self, action: str, body: Optional[dict] = None) -> dict:
        self.info = self._api.json("POST", "/sandboxes/%s/%s" % (self.id, action), json_body=body)
        return self.info

    def get_info(self) -> dict:
        self.info = self._api.json("GET", "/sandboxes/" + self.id)
        return self.info

    def get_host(self, port: int) -> str:
        """host:port of a port's preview URL, exposing it (private) first if needed."""
        p = next((p for p in self.ports.list() if p["port"] == port), None) or self.ports.expose(port)
        return urllib.parse.urlsplit(p["url"]).netloc

    def snapshot(self, name: Optional[str] = None) -> dict:
        return self._api.json("POST", "/sandboxes/%s/snapshots" % self.id, json_body={"name": name} if name else {}, idempotent=True)

    def fork(self, snapshot_id: Optional[str] = None, **opts) -> "Sandbox":
        """A new sandbox from a snapshot of this one (taken now, unless snapshot_id names one)."""
        snapshot_id = snapshot_id or self.snapshot()["id"]
        body = _body(dict(opts, snapshot_id=snapshot_id))
        return Sandbox(self._api, self._api.json("POST", "/sandboxes", json_body=body, idempotent=True))

    def pause(self) -> dict:
        return self._act("pause")

    def resume(self) -> dict:
        return self._act("resume")

    def start(self) -> dict:
        return self._act("start")

    def stop(self) -> dict:
        return self._act("stop")

    def set_timeout(self, timeout_sec: int) -> dict:
        """Sets the hard TTL to timeout_sec from now."""
        return self._act("timeout", {"timeoutSec": timeout_sec})

    def kill(self) -> None:
        """Deletes the sandbox and everything in it."""
        self._api.request("DELETE", "/sandboxes/" + self.id).close()

    def get_metrics(self) -> dict:
        return self._api.json("GET", "/sandboxes/%s/metrics" % self.id)

    def get_usage(self) -> dict:
        return self._api.json("GET", "/sandboxes/%s/usage" % self.id)
