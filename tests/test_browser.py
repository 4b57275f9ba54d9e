"""The built site in a real browser: headless Chromium from the system's packages.

Opens every page of the executed build (the ``executed_site`` fixture, shared with
tests/test_book.py) through a local HTTP server, and checks what a reader meets:
no console errors, every image decoded, each chapter's Colab and download links,
internal links that resolve, and a search that finds a chapter for "softmax". A
screenshot of each page is saved under ``_build/screenshots`` (gitignored).

Nothing reaches the internet: Chromium runs with every host but the local server
mapped to nothing, and the pages load no outside resource (MathJax 3 is served from
the site's own ``_static/mathjax``, by the ``sphinx-mathjax-offline`` extension), so
every formula must be typeset here, without a TeX error, as a reader offline sees it.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml

from book_build import ROOT, SCREENSHOTS, executed_notebooks, failure_report
from helpers.viz.layout import COLUMN_PX


def _first(*candidates):
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return Path(candidates[0] or "/usr/bin/chromium")


# Debian's packages (this project's machines and CI); CHROMIUM_BIN / CHROMEDRIVER_BIN or a
# browser on PATH elsewhere (e.g. GitHub's runners ship Chrome and its driver)
CHROMIUM = _first(os.environ.get("CHROMIUM_BIN"), "/usr/bin/chromium",
                  shutil.which("chromium") or "", shutil.which("google-chrome") or "")
CHROMEDRIVER = _first(os.environ.get("CHROMEDRIVER_BIN"), "/usr/bin/chromedriver",
                      shutil.which("chromedriver") or "",
                      os.path.join(os.environ.get("CHROMEWEBDRIVER", "/nonexistent"),
                                   "chromedriver"))
INSTALL = "apt-get install -y chromium chromium-driver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
EXECUTED = [p.stem for p in executed_notebooks(ROOT)]  # the labs are shown unexecuted


def _toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


PAGES = _toc_pages()


def _on_ci() -> bool:
    """CI sets CI=true (.ci/run's machines, GitHub Actions): a missing browser is a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _require_browser():
    """Fail on CI, skip elsewhere, when Chromium or ChromeDriver is missing; both say
    the one command that installs them."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = (f"no headless browser for the site test ({', '.join(missing)} missing): "
               f"install it with `{INSTALL}` (as root)")
    if _on_ci():
        pytest.fail(message)
    pytest.skip(message + "; skipped because CI is not set (with CI=true this fails)")


def test_a_browser_is_installed():
    """CI installs it (.ci/run); elsewhere the browser tests are skipped with the command."""
    _require_browser()
    assert CHROMIUM.exists() and CHROMEDRIVER.exists()


# --------------------------------------------------------------------------- fixtures
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(executed_site):
    """The executed build, served on 127.0.0.1 (search and fetch need http, not file://)."""
    assert executed_site.returncode == 0, failure_report(executed_site)
    handler = functools.partial(_Quiet, directory=str(executed_site.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", executed_site.html
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _open(driver, url):
    driver.get(url)
    driver.execute_script("return document.readyState")   # wait for the load event
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (document.readyState === 'complete') done(); "
        "else window.addEventListener('load', () => done());")


def _console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


# Waits for MathJax's first typesetting pass (true), or says why it never came.
MATHJAX_DONE_JS = r"""
const done = arguments[arguments.length - 1];
const hasMaths = document.querySelector('span.math, div.math') !== null;
const start = Date.now();
(function wait() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done(true)).catch(e => done(String(e)));
  } else if (!hasMaths && !document.querySelector('script[src*="mathjax"]')) {
    done(true);                      // a page without maths may load no MathJax
  } else if (Date.now() - start > 20000) {
    done('MathJax not loaded after 20 s');
  } else {
    setTimeout(wait, 50);
  }
})();
"""

# [formulas left untypeset (a brace left open), TeX errors (an undefined macro, which
# MathJax shows in red)]: the first 80 characters of each.
MATHS_STATE_JS = r"""
const spans = Array.from(document.querySelectorAll('span.math, div.math'));
return [spans.filter(m => !m.querySelector('mjx-container'))
             .map(m => m.textContent.trim().slice(0, 80)),
        Array.from(document.querySelectorAll('mjx-merror, mjx-mtext[style*="color: red"]'))
             .map(e => (e.getAttribute('data-mjx-error')
                        || e.closest('.math').textContent.trim()).slice(0, 80))];
"""

# Raw markup left in a page's prose. Maths spans (class "math", typeset by MathJax when
# it loads) must hold exactly one formula: "\\(...\\)" with no other delimiter inside
# (prose typeset as maths shows up as "\\) text \\(" inside one span).
RAW_MARKUP_JS = r"""
const main = document.querySelector('main') || document.body;
const found = [];
main.querySelectorAll('span.math, div.math').forEach(m => {
  if (m.querySelector('mjx-container')) return;   // typeset: MathJax parsed it
  const t = m.textContent.trim();
  const inline = t.startsWith('\\(') && t.endsWith('\\)');
  const display = t.startsWith('\\[') && t.endsWith('\\]');
  const inner = t.slice(2, -2);
  if (!(inline || display) || /\\[()\[\]]|\$/.test(inner))
    found.push('maths span "' + t.slice(0, 80) + '"');
});
const copy = main.cloneNode(true);
copy.querySelectorAll('pre, code, .math, mjx-container, script, style, .cell_output, '
                      + '.MathJax, .headerlink').forEach(n => n.remove());
const text = copy.textContent.replace(/\s+/g, ' ');
for (const p of ['$', '\\(', '\\)', '\\[', '\\]', '{cite}', '{math}', '{ref}',
                 '{numref}', '{doc}', '```', ':::']) {
  const i = text.indexOf(p);
  if (i >= 0) found.push(p + ' in "' + text.slice(Math.max(0, i - 40), i + 40) + '"');
}
return found;
"""

# Tables (markdown or HTML outputs) and printed outputs wider than the text column.
WIDE_OUTPUT_JS = r"""
const article = document.querySelector('article') || document.querySelector('main');
const column = article.getBoundingClientRect();
const found = [];
article.querySelectorAll('table').forEach(t => {
  const r = t.getBoundingClientRect();
  const box = t.parentElement;
  if (r.right > column.right + 1 || box.scrollWidth > box.clientWidth + 1)
    found.push('table "' + t.textContent.replace(/\s+/g, ' ').trim().slice(0, 60) + '"');
});
article.querySelectorAll('div.cell_output pre').forEach(p => {
  if (p.scrollWidth > p.clientWidth + 1)
    found.push('output "' + p.textContent.split('\n').sort(
      (a, b) => b.length - a.length)[0].slice(0, 90) + '"');
});
return found;
"""

# --------------------------------------------------------------------------- every page
@pytest.mark.parametrize("page", PAGES)
def test_page_loads_cleanly_in_chromium(site, browser, page):
    base, html = site
    url = f"{base}/{page}.html"
    _open(browser, url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight;")
    browser.set_window_size(1280, min(int(height), 16000))      # the whole page
    browser.save_screenshot(str(SCREENSHOTS / f"{page.replace('/', '_')}.png"))
    browser.set_window_size(1280, 1000)
    errors = _console_errors(browser)
    assert not errors, f"{page}: console errors:\n" + "\n".join(errors)
    assert browser.title and "404" not in browser.title

    # every image decodes: figures of the executed chapters, logos, icons
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.currentSrc || i.src, i.complete, "
        "i.naturalWidth]);")
    broken = [src for src, complete, width in images if not complete or width == 0]
    assert not broken, f"{page}: images that do not decode: {broken}"
    if page.split("/")[-1] in EXECUTED:
        figures = [src for src, _, _ in images if "/_images/" in src or src.startswith("data:image")]
        assert figures, f"{page}: an executed chapter shows its figures"
        # the figure check of the build (helpers.viz.layout.small_text) assumes that a
        # figure is shown at its natural width, or at COLUMN_PX if wider: never narrower
        squeezed = browser.execute_script(
            "return Array.from(document.querySelectorAll('div.cell_output img'))"
            ".filter(i => i.clientWidth < Math.min(i.naturalWidth, arguments[0]) - 1)"
            ".map(i => [i.src.split('/').pop(), i.naturalWidth, i.clientWidth]);",
            COLUMN_PX)
        assert not squeezed, (f"{page}: figures shown narrower than the column "
                              f"helpers.viz.layout assumes ({COLUMN_PX} px): {squeezed}")

    # a code line of 79 characters (the limit tests/test_book.py keeps) fits the
    # column at 1280 px: no code cell scrolls sideways (book/_static/code-cells.css)
    scrolling = browser.execute_script(
        "return Array.from(document.querySelectorAll('div.cell_input pre'))"
        ".filter(p => p.scrollWidth > p.clientWidth + 1)"
        ".map(p => p.textContent.split('\\n').sort((a, b) => b.length - a.length)[0]);")
    assert not scrolling, f"{page}: code cells scroll sideways at 1280 px: {scrolling}"

    # every formula typeset by the site's own MathJax, none with a TeX error (an
    # unknown macro or a brace left open shows as red source text)
    typeset = browser.execute_async_script(MATHJAX_DONE_JS)
    assert typeset is True, f"{page}: MathJax did not finish: {typeset}"
    untypeset, errors = browser.execute_script(MATHS_STATE_JS)
    assert not untypeset, f"{page}: formulas MathJax left as text: {untypeset}"
    assert not errors, f"{page}: formulas with TeX errors: {errors}"

    # no raw markup in the prose: maths MyST did not parse, prose typeset as maths,
    # roles left as text (code, outputs and typeset maths are left out of the text)
    raw = browser.execute_script(RAW_MARKUP_JS)
    assert not raw, f"{page}: raw markup in the text: {raw}"

    # no table or printed output wider than the column at 1280 px (cut off or scrolling)
    wide = browser.execute_script(WIDE_OUTPUT_JS)
    assert not wide, f"{page}: wider than the column at 1280 px: {wide}"

    # internal links resolve (the page, and the anchor on it)
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);")
    for href in sorted(set(hrefs)):
        parsed = urllib.parse.urlparse(href)
        if not href.startswith(base):
            continue
        path = urllib.parse.unquote(parsed.path).lstrip("/") or "index.html"
        target = html / path
        if target.is_dir():
            target = target / "index.html"
        assert target.exists(), f"{page}: link to {href} does not resolve"
        if parsed.fragment and target.suffix == ".html":
            text = target.read_text(encoding="utf-8")
            assert f'id="{parsed.fragment}"' in text, f"{page}: anchor {href} does not exist"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_launch_and_download_links(site, browser, chapter):
    """The Colab button opens the chapter's Colab copy on the configured branch, and the
    .ipynb download is a notebook that reads cleanly (no raw MyST roles)."""
    base, _ = site
    _open(browser, f"{base}/book/{chapter}.html")
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);")
    url = CONFIG["repository"]["url"].rstrip("/")
    org, repo = url.split("/")[-2:]
    branch, copies = CONFIG["repository"]["branch"], CONFIG["repository"]["path_to_book"]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert colab == [f"https://colab.research.google.com/github/{org}/{repo}/blob/{branch}/"
                     f"{copies}/book/{chapter}.ipynb"], colab
    assert (ROOT / copies / "book" / f"{chapter}.ipynb").exists()
    downloads = [h for h in hrefs if h.endswith(".ipynb") and h.startswith(base)]
    assert downloads, f"{chapter}: no .ipynb download link"
    for href in downloads:
        with urllib.request.urlopen(href, timeout=30) as response:
            nb = nbformat.reads(response.read().decode("utf-8"), as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert nb.cells[0].source.startswith("# ") and not re.search(r"\{[a-z:]+\}`", text)
        assert f"@{branch}" in next(c for c in nb.cells if c.cell_type == "code").source


def test_search_finds_a_chapter_for_softmax(site, browser):
    base, _ = site
    _open(browser, f"{base}/search.html?q=softmax")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a, ul.search li a"))
    links = [a.get_attribute("href") for a in
             browser.find_elements(By.CSS_SELECTOR, "#search-results li a, ul.search li a")]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "search_softmax.png"))
    assert any("/book/02_logits.html" in link for link in links), links


def test_citation_labels_match_the_reference_list(site, browser):
    """The text cites "[Branwen, 2011]" and the list shows the same label."""
    base, html = site
    _open(browser, f"{base}/book/bibliography.html")
    listed = set(browser.execute_script(
        "return Array.from(document.querySelectorAll('.citation .label, dt.label'))"
        ".map(e => e.textContent.replace(/[\\[\\]]/g, '').trim());"))
    assert listed and all(re.search(r", (19|20)\d\d[a-z]?$", label) for label in listed), listed
    _open(browser, f"{base}/book/04_tank_story.html")
    cited = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href*=\"bibliography\"]'))"
        ".map(a => a.textContent.trim());")
    assert "Branwen, 2011" in cited and "Branwen, 2011" in listed, (cited, sorted(listed)[:5])
    page = (html / "book" / "bibliography.html").read_text(encoding="utf-8")
    assert "https://gwern.net/tank" in page                     # web sources give their URL


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b):
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _over(top, bottom):
    """A translucent colour (r, g, b, a) painted over an opaque one (r, g, b)."""
    alpha = top[3] if len(top) == 4 else 1.0
    return [alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3])]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_exercise_feedback_is_readable(site, browser, theme):
    """The checkers' feedback (the executed "Not attempted yet" results) keeps its code
    spans and labels readable in the book's light and dark themes: contrast >= 4.5."""
    base, _ = site
    _open(browser, f"{base}/book/02_logits.html")
    browser.execute_script(f"document.documentElement.dataset.theme = '{theme}';"
                           f"document.documentElement.dataset.mode = '{theme}';")
    found = browser.execute_script("""
        const rgba = c => (c.match(/[\\d.]+/g) || []).map(Number);
        const backdrop = el => {           // the first opaque background behind el
          for (let e = el; e; e = e.parentElement) {
            const c = rgba(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
          }
          return rgba(getComputedStyle(document.body).backgroundColor).slice(0, 3);
        };
        return Array.from(document.querySelectorAll(
            '.cell_output div[style*="border-left"] code')).map(code => [
          rgba(getComputedStyle(code).color), rgba(getComputedStyle(code).backgroundColor),
          backdrop(code.parentElement)]);""")
    assert found, "no exercise feedback with code spans on the executed page"
    for color, background, backdrop in found:
        shown = _over(background, backdrop) if background else backdrop
        assert _contrast(color, shown) >= 4.5, (theme, color, background, backdrop)


def test_execution_report_lists_every_chapter(site):
    _, html = site
    report = json.loads((html / "reports" / "execution.json").read_text(encoding="utf-8"))
    assert {f"book/{c}" for c in EXECUTED} <= set(report)
