"""The asyncio API: the same surface as the blocking one, awaitable. The standard library has no
asyncio HTTP client, so each call runs the blocking client in a worker thread (asyncio.to_thread)
and output callbacks are handed back to the event loop's thread: the loop itself never blocks."""
import asyncio
import functools
from typing import Callable, Dict, List, Optional

from .commands import CommandHandle, CommandResult
from .pty import PtyHandle
from .sandbox import Sandbox


def _on_loop(cb: Optional[Callable]) -> Optional[Callable]:
    if cb is None:
        return None
    loop = asyncio.get_running_loop()
    return lambda data: loop.call_soon_threadsafe(cb, data)


async def _run(fn, *a, **kw):
    return await asyncio.to_thread(functools.partial(fn, *a, **kw))


class AsyncCommandHandle:
    def __init__(self, h: CommandHandle):
        self._h, self.pid = h, h.pid

    async def wait(self) -> CommandResult:
        return await _run(self._h.wait)

    async def send_stdin(self, data: str, eof: bool = False) -> None:
        await _run(self._h.send_stdin, data, eof)

    async def close_stdin(self) -> None:
        await _run(self._h.close_stdin)

    async def kill(self) -> None:
        await _run(self._h.kill)


class AsyncCommands:
    def __init__(self, c):
        self._c = c

    async def run(self, cmd, on_stdout=None, on_stderr=None, background: bool = False, **kw):
        r = await _run(self._c.run, cmd, on_stdout=_on_loop(on_stdout), on_stderr=_on_loop(on_stderr), background=background, **kw)
        return AsyncCommandHandle(r) if background else r

    async def connect(self, pid: int, on_stdout=None, on_stderr=None) -> AsyncCommandHandle:
        return AsyncCommandHandle(await _run(self._c.connect, pid, _on_loop(on_stdout), _on_loop(on_stderr)))

    async def list(self) -> List[dict]:
        return await _run(self._c.list)

    async def kill(self, pid: int) -> None:
        await _run(self._c.kill, pid)


class AsyncFiles:
    def __init__(self, f):
        self._f = f

    def __getattr__(self, name):
        # read, write, list, remove, make_dir, stat, exists, upload, download: each awaitable.
        method = getattr(self._f, name)
        return lambda *a, **kw: _run(method, *a, **kw)


class AsyncPtyHandle:
    def __init__(self, h: PtyHandle):
        self._h, self.session_id = h, h.session_id

    async def send_input(self, data) -> None:
        await _run(self._h.send_input, data)

    async def resize(self, cols: int, rows: int) -> None:
        await _run(self._h.resize, cols, rows)

    async def kill(self) -> Optional[int]:
        return await _run(self._h.kill)

    async def wait(self) -> Optional[int]:
        return await _run(self._h.wait)

    async def disconnect(self) -> None:
        await _run(self._h.disconnect)


class AsyncPty:
    def __init__(self, p):
        self._p = p

    async def create(self, cols: int = 80, rows: int = 24, on_data=None) -> AsyncPtyHandle:
        return AsyncPtyHandle(await _run(self._p.create, cols, rows, _on_loop(on_data)))

    async def connect(self, session_id: str, on_data=None) -> AsyncPtyHandle:
        return AsyncPtyHandle(await _run(self._p.connect, session_id, _on_loop(on_data)))


class AsyncSandbox:
    """`sandbox = await AsyncSandbox.create()`; then `await sandbox.commands.run(...)` and so on."""

    def __init__(self, sb: Sandbox):
        self._sb = sb
        self.commands = AsyncCommands(sb.commands)
        self.files = AsyncFiles(sb.files)
        self.pty = AsyncPty(sb.pty)
        self.ports = AsyncFiles(sb.ports)  # expose, list, unexpose: awaitable the same way

    @property
    def id(self) -> str:
        return self._sb.id

    @property
    def info(self) -> dict:
        return self._sb.info

    @classmethod
    async def create(cls, **opts) -> "AsyncSandbox":
        return cls(await _run(Sandbox.create, **opts))

    @classmethod
    async def connect(cls, id_or_name: str, **opts) -> "AsyncSandbox":
        return cls(await _run(Sandbox.connect, id_or_name, **opts))

    @staticmethod
    async def list(metadata: Optional[Dict[str, str]] = None, state: Optional[str] = None, **opts) -> List[dict]:
        return await _run(Sandbox.list, metadata=metadata, state=state, **opts)

    async def fork(self, snapshot_id: Optional[str] = None, **opts) -> "AsyncSandbox":
        return AsyncSandbox(await _run(self._sb.fork, snapshot_id, **opts))

    def __getattr__(self, name):
        # get_info, get_host, snapshot, pause, resume, start, stop, set_timeout, kill, get_metrics, get_usage.
        method = getattr(self._sb, name)
        return lambda *a, **kw: _run(method, *a, **kw)
