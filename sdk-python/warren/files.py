"""Files inside a sandbox, by absolute path (running or stopped sandboxes alike). Reads and
writes can stream: a large file need not sit whole in memory."""
import os
import posixpath
import shutil
from typing import BinaryIO, Iterator, List, Optional, Union

from ._http import ApiClient
from .errors import NotFoundError

CHUNK = 64 * 1024


def _chunks(f: BinaryIO) -> Iterator[bytes]:
    while True:
        b = f.read(CHUNK)
        if not b:
            return
        yield b


class Files:
    def __init__(self, api: ApiClient, sandbox_id: str):
        self._api = api
        self._base = "/sandboxes/%s/files" % sandbox_id

    def read(self, path: str, format: str = "text") -> Union[str, bytes, BinaryIO]:
        """format: 'text' (str), 'bytes', or 'stream' (a file-like response to read and close)."""
        res = self._api.request("GET", self._base + "/content", query={"path": path})
        if format == "stream":
            return res
        with res:
            data = res.read()
        return data if format == "bytes" else data.decode("utf-8")

    def write(self, path: str, data: Union[str, bytes, BinaryIO], mode: Optional[str] = None) -> dict:
        """Creates parent directories. `data` may be a file object, sent in chunks; `mode` like '0755'."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        body = data if isinstance(data, (bytes, bytearray)) else _chunks(data)
        return self._api.json("PUT", self._base + "/content", query={"path": path, "mode": mode}, body=body,
                              headers={"content-type": "application/octet-stream"}, retry=isinstance(body, (bytes, bytearray)))

    def list(self, path: str) -> List[dict]:
        return self._api.json("GET", self._base, query={"path": path})["entries"]

    def remove(self, path: str, recursive: bool = False) -> None:
        self._api.request("DELETE", self._base, query={"path": path, "recursive": "1" if recursive else None}).close()

    def make_dir(self, path: str) -> None:
        self._api.request("POST", self._base + "/mkdir", json_body={"path": path}, retry=True).close()

    def stat(self, path: str) -> Optional[dict]:
        """The entry for a path (from its parent's listing), or None when nothing is there."""
        path = path.rstrip("/") or "/"
        if path == "/":
            return {"name": "/", "path": "/", "type": "dir"}
        try:
            entries = self.list(posixpath.dirname(path))
        except NotFoundError:
            return None
        return next((e for e in entries if e["name"] == posixpath.basename(path)), None)

    def exists(self, path: str) -> bool:
        return self.stat(path) is not None

    def upload(self, local_path: str, remote_path: str) -> int:
        """Copies a local file or directory (recursively); returns the number of files."""
        if not os.path.isdir(local_path):
            with open(local_path, "rb") as f:
                self.write(remote_path, f, mode="0%o" % (os.stat(local_path).st_mode & 0o777))
            return 1
        self.make_dir(remote_path)
        return sum(self.upload(os.path.join(local_path, n), posixpath.join(remote_path, n)) for n in sorted(os.listdir(local_path)))

    def download(self, remote_path: str, local_path: str) -> int:
        """Copies a sandbox file or directory (recursively); returns the number of files."""
        entry = self.stat(remote_path)
        if entry is None:
            raise NotFoundError("%s not found in the sandbox" % remote_path, 404, "not_found")
        if entry["type"] != "dir":
            with self.read(remote_path, format="stream") as src, open(local_path, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            return 1
        os.makedirs(local_path, exist_ok=True)
        return sum(self.download(posixpath.join(remote_path, e["name"]), os.path.join(local_path, e["name"]))
                   for e in self.list(remote_path) if e["type"] in ("file", "dir"))
