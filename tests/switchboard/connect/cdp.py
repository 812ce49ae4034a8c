"""A tiny Chrome DevTools Protocol driver for the browser test (no Selenium, no extra dependency).

Starts headless Chromium with a throwaway profile, talks to it over one WebSocket using flattened
target sessions, and offers the few things the test needs: open a page, find a popup, evaluate
JavaScript, click like a user (a real input event, so window.open counts as user-initiated), wait
for a condition, take a screenshot.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1000,900"]


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="sb-chromium-")
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        ws_url = self._devtools_url()
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self._ids = itertools.count(1)
        self.events: list[dict] = []

    def _devtools_url(self) -> str:
        deadline = time.monotonic() + self.timeout
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            lines.append(line)
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return match.group(1)
        self.close()
        raise CdpError("Chromium did not start: " + "".join(lines[-20:]))

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol
    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        msg_id = next(self._ids)
        payload = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            payload["sessionId"] = session
        self.ws.send(json.dumps(payload))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == msg_id:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def new_page(self, url: str) -> Page:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        return self.attach(target)

    def attach(self, target_id: str) -> Page:
        session = self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})["sessionId"]
        page = Page(self, target_id, session)
        self.send("Page.enable", session=session)
        self.send("Runtime.enable", session=session)
        return page

    def wait_for_popup(self, opener: Page) -> Page:
        def find():
            for info in self.send("Target.getTargets")["targetInfos"]:
                if info["type"] == "page" and info.get("openerId") == opener.target_id:
                    return info["targetId"]
            return None

        return self.attach(wait_until(find, self.timeout, "a popup window"))

    def target_exists(self, target_id: str) -> bool:
        return any(t["targetId"] == target_id for t in self.send("Target.getTargets")["targetInfos"])


class Page:
    def __init__(self, browser: Browser, target_id: str, session: str):
        self.browser, self.target_id, self.session = browser, target_id, session

    def eval(self, expression: str):
        result = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                        "awaitPromise": True}, session=self.session)
        if "exceptionDetails" in result:
            raise CdpError(f"JS error in {expression!r}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str | None = None):
        """Poll until `expression` is truthy; survives navigations (the context is rebuilt)."""
        def check():
            try:
                return self.eval(expression)
            except CdpError:
                return None

        return wait_until(check, self.browser.timeout, what or expression)

    def click(self, selector: str) -> None:
        """A real mouse click at the element's centre (counts as a user gesture)."""
        box = self.wait_for(f"(function(){{var e=document.querySelector({json.dumps(selector)});"
                            f"if(!e)return null;e.scrollIntoView({{block:'center'}});var r=e.getBoundingClientRect();"
                            f"return {{x:r.left+r.width/2,y:r.top+r.height/2}};}})()", f"element {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                           "button": "left", "clickCount": 1}, session=self.session)

    def type_into(self, selector: str, text: str) -> None:
        self.eval(f"document.querySelector({json.dumps(selector)}).focus()")
        self.eval(f"document.querySelector({json.dumps(selector)}).value = ''")
        self.browser.send("Input.insertText", {"text": text}, session=self.session)

    def screenshot(self, path: Path) -> None:
        data = self.browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                 session=self.session)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


def wait_until(fn, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    raise CdpError(f"timed out waiting for {what}")
