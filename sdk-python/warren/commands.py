"""Commands in a sandbox. A string runs through `bash -c`; a list is an argv. A non-zero exit is a
result (check exit_code); a command past its timeout raises TimeoutError with the output so far."""
import math
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Union

from ._http import ApiClient, ndjson
from .errors import TimeoutError, WarrenError

Output = Optional[Callable[[str], None]]


@dataclass
class CommandResult:
    exit_code: Optional[int]
    stdout: str
    stderr: str
    signal: Optional[str] = None
    duration_ms: float = 0
    timed_out: bool = False


def _result(d: dict) -> CommandResult:
    return CommandResult(d.get("exitCode"), d.get("stdout", ""), d.get("stderr", ""), d.get("signal"), d.get("durationMs", 0), d.get("timedOut", False))


def _collect(events, on_stdout: Output, on_stderr: Output) -> CommandResult:
    out, err = [], []
    for e in events:
        t = e.get("type")
        if t == "stdout":
            out.append(e["data"])
            on_stdout and on_stdout(e["data"])
        elif t == "stderr":
            err.append(e["data"])
            on_stderr and on_stderr(e["data"])
        elif t == "exit":
            return CommandResult(e.get("exitCode"), "".join(out), "".join(err), e.get("signal"), e.get("durationMs", 0), e.get("timedOut", False))
        elif t == "error":
            raise WarrenError(e.get("message", "stream failed"), 0, e.get("code", "stream_error"))
        elif t == "detached":
            raise WarrenError("The command was lost without an exit status (the sandbox stopped)", 0, "detached")
    raise WarrenError("The output stream ended before the command exited", 0, "stream_ended")


class Commands:
    def __init__(self, api: ApiClient, sandbox_id: str):
        self._api = api
        self._id = sandbox_id

    def run(self, cmd: Union[str, List[str]], cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None,
            user: Optional[str] = None, stdin: Union[str, bool, None] = None, timeout: Optional[float] = None,
            on_stdout: Output = None, on_stderr: Output = None, background: bool = False, tag: Optional[str] = None):
        """Runs to the end and returns a CommandResult, or with background=True returns a CommandHandle
        at once (stdin=True keeps its stdin open for send_stdin). `timeout` is in seconds."""
        if background:
            return self._start(cmd, cwd, env, user, stdin, on_stdout, on_stderr, tag)
        body = {"cmd": cmd, "cwd": cwd, "env": env, "user": user, "stdin": stdin}
        if timeout is not None:
            body["timeoutSec"] = min(3600, max(1, math.ceil(timeout)))
        body = {k: v for k, v in body.items() if v is not None}
        wait = body.get("timeoutSec", 60) + self._api.conn.request_timeout
        path = "/sandboxes/%s/exec" % self._id
        if on_stdout or on_stderr:
            res = self._api.request("POST", path, json_body=body, headers={"accept": "application/x-ndjson"}, timeout=wait)
            result = _collect(ndjson(res), on_stdout, on_stderr)
        else:
            # Under an Idempotency-Key: a retry after a lost answer gets the first run's result.
            result = _result(self._api.json("POST", path, json_body=body, idempotent=True, timeout=wait))
        if result.timed_out:
            raise TimeoutError("Command timed out after %ss" % body.get("timeoutSec", 60), 0, "command_timeout",
                               {"stdout": result.stdout, "stderr": result.stderr, "exitCode": result.exit_code})
        return result

    def _start(self, cmd, cwd, env, user, stdin, on_stdout, on_stderr, tag) -> "CommandHandle":
        body = {"cmd": cmd, "cwd": cwd, "env": env, "user": user, "tag": tag, "stdin": stdin is not None and stdin is not False}
        started = self._api.json("POST", "/sandboxes/%s/processes" % self._id, json_body={k: v for k, v in body.items() if v is not None})
        handle = CommandHandle(self._api, self._id, started["pid"], on_stdout, on_stderr, stdin is True)
        if isinstance(stdin, str):
            handle.send_stdin(stdin, eof=True)
        return handle

    def connect(self, pid: int, on_stdout: Output = None, on_stderr: Output = None) -> "CommandHandle":
        """Re-attaches to a background command (its recent output is replayed)."""
        return CommandHandle(self._api, self._id, pid, on_stdout, on_stderr, True)

    def list(self) -> List[dict]:
        return self._api.json("GET", "/sandboxes/%s/processes" % self._id)["processes"]

    def kill(self, pid: int) -> None:
        self._api.request("DELETE", "/sandboxes/%s/processes/%d" % (self._id, pid)).close()


class CommandHandle:
    """A background command: it runs on whatever happens to this handle. With callbacks, its output
    is followed (replayed from the start) on a thread as soon as the handle exists."""

    def __init__(self, api: ApiClient, sandbox_id: str, pid: int, on_stdout: Output, on_stderr: Output, stdin_open: bool):
        self._api = api
        self._path = "/sandboxes/%s/processes/%d" % (sandbox_id, pid)
        self.pid = pid
        self._callbacks = (on_stdout, on_stderr)
        self._stdin_open = stdin_open
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._outcome: Optional[Union[CommandResult, BaseException]] = None
        if on_stdout or on_stderr:
            self._follow()

    def _follow(self):
        with self._lock:
            if self._thread:
                return

            def follow():
                try:
                    res = self._api.request("GET", self._path + "/output", timeout=24 * 3600)
                    self._outcome = _collect(ndjson(res), *self._callbacks)
                except BaseException as e:  # handed to wait()
                    self._outcome = e

            self._thread = threading.Thread(target=follow, daemon=True)
            self._thread.start()

    def wait(self, timeout: Optional[float] = None) -> CommandResult:
        """Blocks until the command ends; returns its exit status and all its output."""
        self._follow()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("The command is still running", 0, "wait_timeout")
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def send_stdin(self, data: str, eof: bool = False) -> None:
        """Needs stdin=True at start; eof closes stdin after writing."""
        if not self._stdin_open and not eof:
            raise WarrenError("Start the command with background=True, stdin=True to write to it", 0, "stdin_closed")
        self._api.request("POST", self._path + "/stdin", json_body={"data": data, **({"eof": True} if eof else {})}).close()
        if eof:
            self._stdin_open = False

    def close_stdin(self) -> None:
        self._api.request("POST", self._path + "/stdin", json_body={"eof": True}).close()
        self._stdin_open = False

    def kill(self) -> None:
        self._api.request("DELETE", self._path).close()
