"""Headless Chromium through WebDriver (chromedriver: plain HTTP, no client library), for the
page tests: t_report_browser.py uses it, and t_web_browser.py's own copy of the session code could
(the same calls). The viewport is set exactly (Emulation.setDeviceMetricsOverride), so a 390x844
phone screen is 390 CSS pixels wide.
usage: webdriver.py shot PAGE WIDTH HEIGHT OUT.png [desktop | at=Y]   the page's first screen at
       that size (desktop: a narrow window, not a phone's emulation; at=Y: scrolled down Y pixels)
Imported by tests/t_report_browser.py (Browser, measure)."""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


class Browser:
    """One Chromium session; page() loads a file at a viewport size."""

    def __init__(self):
        self.scratch = tempfile.mkdtemp(prefix="twinnet-report-")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.proc = subprocess.Popen([DRIVER, "--port=%d" % self.port], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except OSError:
                time.sleep(0.1)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", "--user-data-dir=" + os.path.join(self.scratch, "profile")]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
                                                 "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
        self.session = "/session/" + self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())["value"]

    def do(self, method, path, body=None):
        return self.call(method, self.session + path, body)

    def script(self, js):
        return self.do("POST", "/execute/sync", {"script": js, "args": []})

    def page(self, path, width, height, mobile=True):
        """Loads path with a viewport of width x height CSS pixels (mobile: as a phone would, where a
        page without a viewport meta tag is laid out 980 pixels wide); the console messages."""
        self.do("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride",
                                               "params": {"width": width, "height": height, "deviceScaleFactor": 1,
                                                          "mobile": mobile and width < 600}})
        self.do("POST", "/url", {"url": "file://" + os.path.abspath(path)})
        for _ in range(200):
            if self.script("return document.readyState") == "complete":
                break
            time.sleep(0.05)
        return self.do("POST", "/se/log", {"type": "browser"}) or []

    def screenshot(self, out):
        with open(out, "wb") as f:
            f.write(base64.b64decode(self.do("GET", "/screenshot")))

    def close(self):
        try:
            self.call("DELETE", self.session)
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            shutil.rmtree(self.scratch, ignore_errors=True)


# What the widths test reads from the page: the widest element's right edge too, to name it.
MEASURE = """
var de = document.documentElement, wide = null, right = 0;
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.right > right + 0.5) { right = r.right; wide = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                                                 (e.className && e.className.baseVal === undefined ? '.' + e.className : ''); }
});
var card = document.querySelector('#answer figure'), c = card ? card.getBoundingClientRect() : null;
return JSON.stringify({scroll_width: de.scrollWidth, inner_width: window.innerWidth, inner_height: window.innerHeight,
  widest: wide, widest_right: right,
  card: c ? {top: c.top, bottom: c.bottom, left: c.left, right: c.right} : null});
"""


def measure(browser):
    return json.loads(browser.script(MEASURE))


if __name__ == "__main__":
    if len(sys.argv) not in (6, 7) or sys.argv[1] != "shot":
        print(__doc__)
        sys.exit(2)
    if not CHROMIUM or not DRIVER:
        print("no chromium or chromedriver")
        sys.exit(77)
    b = Browser()
    try:
        logs = b.page(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), len(sys.argv) == 6 or sys.argv[6] != "desktop")
        if len(sys.argv) == 7 and sys.argv[6].startswith("at="):
            b.script("window.scrollTo(0, %d)" % int(sys.argv[6][3:]))
        b.screenshot(sys.argv[5])
        print(json.dumps(measure(b)), len(logs), "console messages")
    finally:
        b.close()
