import os
import tempfile
import unittest

from helpers import VIEWER_KEY, WarrenTestCase, until
from warren import ConflictError, NotFoundError, PermissionError, QuotaError, Sandbox, TimeoutError, ValidationError, WarrenError


class SandboxTest(WarrenTestCase):
    def test_lifecycle_names_list(self):
        tag = "py%d" % os.getpid()
        sb = self.sandbox(name="py-" + tag, cpu=0.5, memory_mb=256, metadata={"suite": tag}, env={"GREETING": "hi"})
        self.assertEqual(sb.info["name"], "py-" + tag)
        self.assertEqual(Sandbox.connect("py-" + tag).id, sb.id)
        self.assertEqual([s["id"] for s in Sandbox.list(metadata={"suite": tag})], [sb.id])
        self.assertEqual(sb.pause()["state"], "paused")
        self.assertEqual(sb.resume()["state"], "running")
        self.assertEqual(sb.set_timeout(3600)["timeoutSec"], 3600)
        self.assertGreater(sb.get_metrics()["memoryBytes"], 0)
        self.assertIn("totals", sb.get_usage())
        self.assertEqual(sb.stop()["state"], "stopped")
        self.assertEqual(Sandbox.list(metadata={"suite": tag}, state="stopped")[0]["id"], sb.id)
        with self.assertRaises(ConflictError):
            sb.commands.run("true")
        self.assertEqual(sb.start()["state"], "running")
        sb.kill()
        with self.assertRaises(NotFoundError):
            sb.get_info()

    def test_commands(self):
        sb = self.sandbox(env={"GREETING": "hi"})
        r = sb.commands.run("echo $GREETING $X; pwd; cat; exit 3", cwd="/tmp", env={"X": "there"}, stdin="piped")
        self.assertEqual((r.exit_code, r.stdout, r.stderr), (3, "hi there\n/tmp\npiped", ""))
        self.assertEqual(sb.commands.run(["id", "-u"], user="root").stdout, "0\n")
        seen = []
        r = sb.commands.run("echo one; echo two >&2", on_stdout=lambda d: seen.append("out:" + d), on_stderr=lambda d: seen.append("err:" + d))
        self.assertEqual(sorted(seen), ["err:two\n", "out:one\n"])
        with self.assertRaises(TimeoutError) as ctx:
            sb.commands.run("echo started; sleep 30", timeout=1)
        self.assertEqual(ctx.exception.details["stdout"], "started\n")

    def test_background_commands(self):
        sb = self.sandbox()
        out = []
        h = sb.commands.run("while read l; do echo got $l; done; echo bye", background=True, stdin=True, on_stdout=out.append)
        h.send_stdin("a\n")
        until("echo", lambda: "got a" in "".join(out))
        h.send_stdin("b\n", eof=True)
        r = h.wait(timeout=20)
        self.assertEqual((r.exit_code, r.stdout), (0, "got a\ngot b\nbye\n"))
        sleeper = sb.commands.run(["sleep", "600"], background=True, tag="sleeper")
        self.assertTrue(next(p for p in sb.commands.list() if p["pid"] == sleeper.pid)["running"])
        sleeper.kill()
        self.assertEqual(sb.commands.connect(sleeper.pid).wait(timeout=20).signal, "SIGKILL")

    def test_files(self):
        sb = self.sandbox()
        sb.files.write("/home/user/a/b.txt", "héllo")
        self.assertEqual(sb.files.read("/home/user/a/b.txt"), "héllo")
        sb.files.write("/tmp/bin", bytes(range(256)))
        self.assertEqual(sb.files.read("/tmp/bin", format="bytes"), bytes(range(256)))
        with tempfile.TemporaryDirectory() as d:
            big = os.path.join(d, "big")
            with open(big, "wb") as f:
                f.write(b"x" * (3 * 1024 * 1024))
            with open(big, "rb") as f:
                self.assertEqual(sb.files.write("/tmp/big", f)["size"], 3 * 1024 * 1024)  # streamed, chunked
            with sb.files.read("/tmp/big", format="stream") as s:
                self.assertEqual(len(s.read()), 3 * 1024 * 1024)
            os.makedirs(os.path.join(d, "pkg", "deep"))
            with open(os.path.join(d, "pkg", "deep", "f.txt"), "w") as f:
                f.write("deep")
            self.assertEqual(sb.files.upload(os.path.join(d, "pkg"), "/home/user/pkg"), 1)
            self.assertEqual(sb.commands.run("cat /home/user/pkg/deep/f.txt").stdout, "deep")
            self.assertEqual(sb.files.download("/home/user/pkg", os.path.join(d, "back")), 1)
            with open(os.path.join(d, "back", "deep", "f.txt")) as f:
                self.assertEqual(f.read(), "deep")
        self.assertEqual([e["name"] for e in sb.files.list("/home/user/a")], ["b.txt"])
        self.assertTrue(sb.files.exists("/home/user/a/b.txt"))
        self.assertFalse(sb.files.exists("/home/user/nope"))
        sb.files.make_dir("/home/user/x/y")
        sb.files.remove("/home/user/x", recursive=True)
        self.assertFalse(sb.files.exists("/home/user/x"))
        with self.assertRaises(NotFoundError):
            sb.files.read("/home/user/x/y")

    def test_pty_ports_snapshot_fork(self):
        sb = self.sandbox()
        buf = bytearray()
        pty = sb.pty.create(cols=80, rows=24, on_data=buf.extend)
        pty.send_input("echo $((6*7))-marker\r")
        until("echo", lambda: b"42-marker" in buf)
        pty.resize(100, 30)
        pty.send_input("stty size\r")
        until("resize", lambda: b"30 100" in buf)
        pty.send_input("exit 5\r")
        self.assertEqual(pty.wait(20), 5)
        port = sb.ports.expose(8126, public=True)
        self.assertTrue(port["url"].startswith("http://8126-%s." % sb.id))
        self.assertEqual(sb.get_host(8126), port["url"].split("/")[2])
        sb.files.write("/home/user/state", "v1")
        fork = sb.fork()
        self.made.append(fork)
        self.assertEqual(fork.files.read("/home/user/state"), "v1")
        snap = sb.snapshot(name="named")
        self.assertEqual(snap["name"], "named")

    def test_errors(self):
        with self.assertRaises(NotFoundError):
            Sandbox.connect("no-such-sandbox")
        with self.assertRaises(ValidationError):
            Sandbox.create(cpu=0.001)
        with self.assertRaises(QuotaError) as q:
            Sandbox.create(cpu=64)
        self.assertEqual(q.exception.limit, "maxCpu")
        with self.assertRaises(PermissionError):
            Sandbox.create(api_key=VIEWER_KEY)
        with self.assertRaises(WarrenError):
            Sandbox.create(api_key="wrn_nope", api_url="http://127.0.0.1:9", max_retries=0)


if __name__ == "__main__":
    unittest.main()
