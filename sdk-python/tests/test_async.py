import asyncio
import os
import tempfile
import unittest

from warren import AsyncSandbox, NotFoundError


class AsyncSandboxTest(unittest.IsolatedAsyncioTestCase):
    async def test_the_same_surface_awaitable(self):
        sb = await AsyncSandbox.create(timeout_sec=300, metadata={"suite": "async%d" % os.getpid()})
        try:
            # Two commands at once: the event loop is not blocked while each waits.
            a, b = await asyncio.gather(sb.commands.run("sleep 1; echo a"), sb.commands.run("sleep 1; echo b"))
            self.assertEqual((a.stdout, b.stdout), ("a\n", "b\n"))
            loop_thread = []
            r = await sb.commands.run("echo streamed", on_stdout=lambda d: loop_thread.append((d, asyncio.get_running_loop() is not None)))
            self.assertEqual(r.exit_code, 0)
            await asyncio.sleep(0)  # callbacks were handed to the loop
            self.assertEqual(loop_thread, [("streamed\n", True)])
            h = await sb.commands.run("cat", background=True, stdin=True)
            await h.send_stdin("via-async", eof=True)
            self.assertEqual((await h.wait()).stdout, "via-async")
            await sb.files.write("/tmp/x", "async file")
            self.assertEqual(await sb.files.read("/tmp/x"), "async file")
            self.assertTrue(await sb.files.exists("/tmp/x"))
            with tempfile.TemporaryDirectory() as d:
                self.assertEqual(await sb.files.download("/tmp/x", os.path.join(d, "x")), 1)
            got = bytearray()
            pty = await sb.pty.create(on_data=got.extend)
            await pty.send_input("echo pty-$((2+3))\r")
            for _ in range(100):
                if b"pty-5" in got:
                    break
                await asyncio.sleep(0.1)
            self.assertIn(b"pty-5", got)
            self.assertIsNone(await pty.kill())  # killed by a signal: no exit code
            self.assertEqual((await sb.pause())["state"], "paused")
            self.assertEqual((await sb.resume())["state"], "running")
            self.assertIn(sb.id, [s["id"] for s in await AsyncSandbox.list(metadata={"suite": "async%d" % os.getpid()})])
            fork = await sb.fork()
            self.assertEqual(await fork.files.read("/tmp/x"), "async file")
            await fork.kill()
        finally:
            await sb.kill()
        with self.assertRaises(NotFoundError):
            await AsyncSandbox.connect(sb.id)


if __name__ == "__main__":
    unittest.main()
