"""Interactive terminals over the console's WebSocket (binary frames are bytes, text frames JSON
control). The shell lives as long as the sandbox, connected or not: disconnect() leaves it
running (re-join with connect(session_id)), kill() ends it."""
import json
import threading
import urllib.parse
from typing import Callable, Optional

from ._http import ApiClient
from ._ws import BINARY, TEXT, WebSocket

OnData = Optional[Callable[[bytes], None]]


class Pty:
    def __init__(self, api: ApiClient, sandbox_id: str):
        self._api = api
        self._id = sandbox_id

    def create(self, cols: int = 80, rows: int = 24, on_data: OnData = None) -> "PtyHandle":
        """A new shell (bash -l as `user` in /home/user)."""
        return self._open({"fresh": True, "cols": cols, "rows": rows}, on_data)

    def connect(self, session_id: str, on_data: OnData = None) -> "PtyHandle":
        """Re-joins a shell by its session id; its recent output is replayed."""
        return self._open({"sessionId": session_id}, on_data)

    def _open(self, body: dict, on_data: OnData) -> "PtyHandle":
        # A one-minute ticket in the URL, exactly as browsers connect.
        t = self._api.json("POST", "/sandboxes/%s/terminal/ticket" % self._id, json_body=body)
        u = urllib.parse.urlsplit(urllib.parse.urljoin(self._api.conn.api_url + "/", t["url"]))
        url = urllib.parse.urlunsplit(("wss" if u.scheme == "https" else "ws", u.netloc, u.path, u.query, ""))
        return PtyHandle(WebSocket(url), t["sessionId"], on_data)


class PtyHandle:
    def __init__(self, ws: WebSocket, session_id: str, on_data: OnData):
        self._ws = ws
        self.session_id = session_id
        self.exit_code: Optional[int] = None
        self._done = threading.Event()
        self._on_data = on_data
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            msg = self._ws.recv()
            if msg is None:
                break
            op, data = msg
            if op == BINARY:
                self._on_data and self._on_data(data)
            elif op == TEXT:
                control = json.loads(data)
                if control.get("type") == "exit":
                    self.exit_code = control.get("exitCode")
        self._done.set()

    def send_input(self, data) -> None:
        self._ws.send(data.encode() if isinstance(data, str) else bytes(data), BINARY)

    def resize(self, cols: int, rows: int) -> None:
        self._ws.send(json.dumps({"type": "resize", "cols": cols, "rows": rows}))

    def kill(self) -> Optional[int]:
        """Ends the shell; returns its exit code."""
        self._ws.send(json.dumps({"type": "kill"}))
        return self.wait()

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """The shell's exit code once it ends (None if the connection closed first)."""
        self._done.wait(timeout)
        return self.exit_code

    def disconnect(self) -> None:
        """Closes this connection only; the shell keeps running."""
        self._ws.close()
        self._done.wait(5)
