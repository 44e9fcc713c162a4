"""Support for the browser test: JupyterLab on 127.0.0.1 and Debian's headless Chromium.

`running_lab(root)` starts `jupyter lab` on a free port with its own config, runtime and
workspace folders under root (no token, no news, no extension manager: nothing reaches
out), and stops it afterwards. `browser()` launches Chromium through Playwright; its
binary is the system's (/usr/bin/chromium), never one Playwright downloads.
`Notebook` drives one open notebook: its cells' text, the highlighting of their tokens
(text, CSS classes and computed colour of each span), typing, running, and the tooltip.
"""
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root, timeout=90):
    """The base URL of a JupyterLab serving root."""
    config = root / "config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    # no "Would you like to get notified about official Jupyter news?" over the cells
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True},
         # window.jupyterapp: cells are chosen through the notebook, not by mouse clicks
         # that land elsewhere while the page is still laying out
         "exposeAppInBrowser": True}))
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    log = open(root / "lab.log", "w")
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", "--IdentityProvider.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         f"--LabApp.workspaces_dir={root / 'workspaces'}", "--LabApp.news_url=",
         "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/api/status", timeout=2).close()
                break
            except OSError:
                if lab.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (root / "lab.log").read_text()[-3000:])
                time.sleep(0.3)
        yield url
    finally:
        lab.terminate()
        try:
            lab.wait(15)
        except subprocess.TimeoutExpired:
            lab.kill()
        log.close()


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# each character of a cell's editor with the token kind of its span (cm-klong-<kind>)
CHARACTER_KINDS = """cell => {
  const lines = [];
  for (const line of cell.querySelectorAll('.cm-content .cm-line')) {
    const chars = [];
    const walk = node => {
      if (node.nodeType === Node.TEXT_NODE) {
        let el = node.parentElement, kind = null;
        for (; el && !el.classList.contains('cm-line'); el = el.parentElement) {
          const c = [...el.classList].find(c => c.startsWith('cm-klong-'));
          if (c) { kind = c.slice(9); break; }
        }
        for (const ch of node.textContent) chars.push([ch, kind]);
      } else if (!(node.classList && node.classList.contains('cm-widgetBuffer'))) {
        node.childNodes.forEach(walk);
      }
    };
    walk(line);
    lines.push(chars);
  }
  return lines;
}"""

# the editor's spans: text, classes, computed colour and weight
SPANS = """cell => [...cell.querySelectorAll('.cm-content span')].map(e => ({
  text: e.textContent, classes: e.className,
  color: getComputedStyle(e).color, weight: getComputedStyle(e).fontWeight}))"""


class Notebook:
    """One notebook open in the page."""

    def __init__(self, page, url, name):
        self.page = page
        page.goto(f"{url}/lab/tree/{name}?reset")
        page.wait_for_function(
            "name => window.jupyterapp?.shell.currentWidget?.context?.path === name",
            arg=name, timeout=60000)
        # the file read and its cells made
        page.evaluate("() => window.jupyterapp.shell.currentWidget.context.ready")
        page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=60000)

    def cell(self, i):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(i)

    def cell_count(self):
        # the notebook's, not the DOM's: cells are attached as they are laid out
        return self.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets.length")

    def characters(self, i):
        """[(character, kind or None)] of cell i, lines joined by newlines."""
        lines = self.cell(i).evaluate(CHARACTER_KINDS)
        out = []
        for n, line in enumerate(lines):
            if n:
                out.append(("\n", None))
            out.extend((c, k) for c, k in line)
        return out

    def spans(self, i):
        return self.cell(i).evaluate(SPANS)

    def span(self, i, text):
        """The first span of cell i whose text is text."""
        found = [s for s in self.spans(i) if s["text"] == text]
        assert found, f"no span {text!r} in cell {i}: {self.spans(i)}"
        return found[0]

    def text(self, i):
        return self.cell(i).locator(".cm-content").inner_text()

    def edit(self, i):
        """Make cell i the active one, in edit mode, with the cursor at its end."""
        self.page.evaluate("""i => {
          const nb = window.jupyterapp.shell.currentWidget.content;
          nb.activeCellIndex = i;
          nb.mode = 'edit';
        }""", i)
        # JupyterLab makes a cell's editor when the cell is first shown: until then it is
        # null (a CI run failed on "Cannot read properties of null (reading 'lineCount')")
        self.page.wait_for_function("""() => {
          const cell = window.jupyterapp.shell.currentWidget.content.activeCell;
          return cell !== null && cell.editor !== null;
        }""")
        self.page.evaluate("""() => {
          const nb = window.jupyterapp.shell.currentWidget.content;
          const editor = nb.activeCell.editor;
          const lines = editor.lineCount;
          editor.setCursorPosition({line: lines - 1, column: editor.getLine(lines - 1).length});
          editor.focus();
        }""")

    def type_into(self, i, text):
        """Type text at the end of cell i's editor, as a user would."""
        self.edit(i)
        self.page.keyboard.type(text)

    def wait_for_kernel(self, timeout=90000):
        """Wait for the status bar's "<kernel> | Idle": a cell run earlier is dropped."""
        self.page.locator(".jp-StatusBar-Widget").get_by_text(
            re.compile(r"\| Idle$")).wait_for(timeout=timeout)

    def run(self, i, timeout=90000):
        """Run cell i (Shift+Enter) and wait for its prompt's number."""
        self.wait_for_kernel(timeout)
        self.edit(i)
        self.page.keyboard.press("Shift+Enter")
        prompt = self.cell(i).locator(".jp-InputPrompt")
        prompt.filter(has_text=re.compile(r"\[\d+\]")).wait_for(timeout=timeout)

    def press(self, key):
        self.page.keyboard.press(key)

    def tooltip(self, timeout=30000):
        """The text of the tooltip Shift+Tab opens."""
        tip = self.page.locator(".jp-Tooltip")
        tip.wait_for(timeout=timeout)
        return tip.inner_text()
