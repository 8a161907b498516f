"""A small WebSocket client (RFC 6455), enough for Warren's terminals: the standard library has
none. Client frames are masked; pings are answered; fragmented messages are joined."""
import base64
import hashlib
import os
import socket
import ssl
import struct
import threading
import urllib.parse
from typing import Dict, Optional, Tuple

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class WebSocketError(Exception):
    pass


class WebSocket:
    def __init__(self, url: str, headers: Optional[Dict[str, str]] = None, timeout: float = 30.0):
        u = urllib.parse.urlsplit(url)
        secure = u.scheme == "wss"
        port = u.port or (443 if secure else 80)
        sock = socket.create_connection((u.hostname, port), timeout=timeout)
        if secure:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=u.hostname)
        self._sock = sock
        self._reader = sock.makefile("rb")
        self._send_lock = threading.Lock()
        self.closed = False
        key = base64.b64encode(os.urandom(16)).decode()
        target = (u.path or "/") + ("?" + u.query if u.query else "")
        lines = ["GET %s HTTP/1.1" % target, "Host: %s" % u.netloc, "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
        lines += ["%s: %s" % kv for kv in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = self._reader.readline().decode("latin-1")
        got: Dict[str, str] = {}
        while True:
            line = self._reader.readline().decode("latin-1").strip()
            if not line:
                break
            k, _, v = line.partition(":")
            got[k.strip().lower()] = v.strip()
        if " 101 " not in status + " ":
            body = self._reader.read(int(got.get("content-length", "0") or 0)).decode("utf-8", "replace")
            raise WebSocketError("WebSocket refused: %s %s" % (status.strip(), body))
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if got.get("sec-websocket-accept") != accept:
            raise WebSocketError("WebSocket handshake: bad Sec-WebSocket-Accept")
        sock.settimeout(None)  # a terminal may be quiet for as long as it likes

    def send(self, data, opcode: Optional[int] = None) -> None:
        if isinstance(data, str):
            data, opcode = data.encode(), opcode or TEXT
        opcode = opcode or BINARY
        n = len(data)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        with self._send_lock:
            self._sock.sendall(head + mask + masked)

    def _exact(self, n: int) -> bytes:
        b = self._reader.read(n)
        if b is None or len(b) < n:
            raise EOFError()
        return b

    def _frame(self) -> Tuple[bool, int, bytes]:
        b1, b2 = self._exact(2)
        n = b2 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._exact(8))[0]
        mask = self._exact(4) if b2 & 0x80 else None
        data = self._exact(n)
        if mask:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return bool(b1 & 0x80), b1 & 0x0F, data

    def recv(self) -> Optional[Tuple[int, bytes]]:
        """The next message as (opcode, payload), or None once the connection is closed."""
        message, kind = b"", None
        try:
            while True:
                fin, op, data = self._frame()
                if op == PING:
                    self.send(data, PONG)
                    continue
                if op == PONG:
                    continue
                if op == CLOSE:
                    self.close()
                    return None
                kind = kind if op == CONT else op
                message += data
                if fin:
                    return kind, message
        except (EOFError, OSError, ValueError):
            self.closed = True
            return None

    def close(self, code: int = 1000) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.send(struct.pack(">H", code), CLOSE)
        except OSError:
            pass
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
