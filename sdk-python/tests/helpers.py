"""What every test here needs: WARREN_API_URL / WARREN_API_KEY point at a real Warren (the
toolkit test project sets them, tests/toolkit/python-sdk.test.ts), and sandboxes made are deleted."""
import os
import time
import unittest

from warren import Sandbox


class WarrenTestCase(unittest.TestCase):
    def setUp(self):
        self.made = []

    def tearDown(self):
        for sb in self.made:
            try:
                sb.kill()
            except Exception:
                pass

    def sandbox(self, **opts) -> Sandbox:
        sb = Sandbox.create(timeout_sec=600, **opts)
        self.made.append(sb)
        return sb


def until(what, ok, seconds=15.0):
    end = time.time() + seconds
    while time.time() < end:
        if ok():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


VIEWER_KEY = os.environ.get("WARREN_VIEWER_KEY", "")
