"""The backprop stepper in a real browser (issue 8): Debian's chromium, headless, driven by
Playwright. The page plays the slide's backward pass; each adjoint it shows is the node's .grad.

Skipped (with the reason) when Playwright or the browser is missing, unless
MINIGRAD_REQUIRE_BROWSER is set (CI): then that is a failure.
"""
import os
import shutil

import pytest

import minigrad as mg
from minigrad import scalar as S
from minigrad import viz

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing(reason):
    if os.environ.get("MINIGRAD_REQUIRE_BROWSER"):
        pytest.fail(f"MINIGRAD_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[browser]')")
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        _missing(f"no chromium at {CHROMIUM} (apt-get install chromium); a downloaded browser is never used")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:")
             else route.continue_())          # the page must need no network at all
    yield pg
    pg.close()
    assert errors == []


def slide(case):
    x = S.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = S.grid([[0.5, -1.0], [2.0, 1.5]], "w")
    s = S.conv2d(x, w, name="s")
    f = S.sum(s, name="f") if case == "sum" else S.max(s[0, 0], s[0, 1], name="f")
    f.backward()
    nodes = {v.name: v for v in [*x.ravel(), *w.ravel(), *s.ravel(), f]}
    return f, w, nodes


@pytest.mark.slow
def test_stepping_through_the_sum_case_shows_every_grad(page, tmp_path):
    f, w, named = slide("sum")
    path = viz.to_html(f, tmp_path / "sum.html")
    page.goto(path.as_uri())
    total = page.evaluate("window.minigradStepper.data.steps.length")
    assert total == 68 and page.text_content("#counter") == "step 0 / 68"
    assert page.is_disabled("#back") and not page.is_disabled("#step")
    # every node's interior adjoint is compared too: the labels map to the graph's nodes
    from minigrad.viz.graph import build
    g = build("test", f)
    grads = {n.label: n.grad for n in g.nodes}
    checked, w11_line = 0, None
    for k in range(total):
        page.click("#step")
        assert page.text_content("#counter") == f"step {k + 1} / {total}"
        if k < total // 2:
            assert page.text_content("#phase") == "forward pass: values"
            continue
        assert page.text_content("#phase") == "backward pass: adjoints"
        label = page.get_attribute("#adjoint", "data-node")
        shown = float(page.get_attribute("#adjoint", "data-value"))
        assert shown == grads[label], label
        if label in named:
            assert shown == named[label].grad
        assert page.text_content("#adjoint") == viz.graph.fmt(grads[label])
        if label == "w11":
            w11_line = page.text_content("#chain .line")
        checked += 1
    assert checked == 34
    assert w11_line is not None and "x11 + x12 + x21 + x22" in w11_line
    assert w11_line == str(mg.derive(f, w[0, 0])).splitlines()[-1]
    assert page.is_disabled("#step")
    # every node carries its adjoint badge at the end
    assert page.locator("svg text.badge").count() == 34
    page.screenshot(path=str(tmp_path / "stepper_sum.png"), full_page=True)
    assert (tmp_path / "stepper_sum.png").stat().st_size > 10_000


@pytest.mark.slow
def test_max_case_branch_back_reset_and_keys(page, tmp_path):
    f, w, named = slide("max")
    page.goto(viz.to_html(f, tmp_path / "max.html").as_uri())
    for _ in range(22):                              # 21 forward steps, then f
        page.keyboard.press("ArrowRight")
    assert page.text_content("#node-name") == "f"
    lines = page.locator("#chain .line").all_text_contents()
    assert lines == ["∂f/∂f = 1", "splits: if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0"]
    page.keyboard.press("ArrowRight")                # s11: the winner, first like the engine's pass
    assert page.text_content("#node-name") == "s11"
    assert page.get_attribute("#adjoint", "data-value") == "1"
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#node-name") == "f"
    page.click("#back")
    assert page.text_content("#phase") == "forward pass: values"
    assert page.get_attribute("#adjoint", "data-value") == ""
    for _ in range(30):                              # on through s11's taps to s12: the loser
        page.keyboard.press("ArrowRight")
        if page.text_content("#node-name") == "s12":
            break
    assert page.text_content("#node-name") == "s12"
    assert page.get_attribute("#adjoint", "data-value") == "0"
    assert page.locator("svg g.edge.flow").count() == 1      # the dashed edge s12 -> f
    page.keyboard.press("Home")
    assert page.text_content("#counter") == "step 0 / 42"
    assert page.locator("svg g.node.pending").count() == 21
    page.click("#play")                              # plays on its own, and pauses
    page.wait_for_function("window.minigradStepper.index >= 2", timeout=10_000)
    page.keyboard.press(" ")
    k = page.evaluate("window.minigradStepper.index")
    page.wait_for_timeout(900)
    assert page.evaluate("window.minigradStepper.index") == k
    page.screenshot(path=str(tmp_path / "stepper_max.png"))


def test_focused_page_steps_only_the_path(page, tmp_path):
    f, w, named = slide("sum")
    page.goto(viz.to_html(f, tmp_path / "focus.html", focus=w[0, 0]).as_uri())
    assert page.locator("svg g.node").count() == 10
    for _ in range(20):
        page.click("#step")
    assert page.text_content("#node-name") == "w11"
    assert page.text_content("#chain .line").endswith("= x11 + x12 + x21 + x22 = 4")
    page.click("summary")
    assert page.text_content("#derivation") == str(mg.derive(f, w[0, 0]))


def test_the_page_drawn_without_graphviz_steps_the_same(page, tmp_path, monkeypatch):
    f, w, named = slide("max")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))              # minigrad's own SVG instead of Graphviz's
    path = viz.to_html(f, tmp_path / "nodot.html")
    monkeypatch.undo()
    page.goto(path.as_uri())
    assert page.locator("svg g.node").count() == 21 and page.locator("svg g.edge").count() == 26
    for _ in range(42):
        page.keyboard.press("ArrowRight")
        label = page.get_attribute("#adjoint", "data-node")
        if label in named:
            assert float(page.get_attribute("#adjoint", "data-value")) == named[label].grad
    assert page.text_content("#counter") == "step 42 / 42"
    assert page.locator("svg text.badge").count() == 21
    page.screenshot(path=str(tmp_path / "stepper_nodot.png"))


def test_the_notebook_frame_of_viz_show_steps_like_the_page(page, tmp_path):
    """viz.show(f, stepper=True) is what Jupyter puts in the cell: the page in a sandboxed srcdoc iframe."""
    f, w, named = slide("max")
    host = tmp_path / "notebook_cell.html"
    host.write_text("<!doctype html><meta charset='utf-8'><body>" + viz.show(f, stepper=True)._repr_html_(),
                    encoding="utf-8")
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe")
    assert frame.locator("svg g.node").count() == 21
    for _ in range(23):                              # 21 forward steps, then f, then s11: the winner
        frame.locator("#step").click()
    assert frame.locator("#node-name").text_content() == "s11"
    assert frame.locator("#adjoint").get_attribute("data-value") == "1"
    assert frame.locator("#counter").text_content() == "step 23 / 42"


HOSTILE_NAMES = ["</script><script>window.__pwned=1</script>", "<img src=x onerror=window.__pwned=1>",
                 "/*__DATA__*/null<body onload=window.__pwned=1>", "<!--<script>", "w\\N"]


@pytest.mark.parametrize("graphviz", [True, False], ids=["graphviz", "without-graphviz"])
def test_hostile_names_and_title_are_shown_as_text_and_never_run(page, tmp_path, monkeypatch, graphviz):
    """Issue 11 item 2: names that try to close the script, add a handler or fill a template
    hole stay text; the stepper still starts and steps; nothing they carry runs."""
    if not graphviz:
        monkeypatch.setattr("minigrad.viz.html.have_dot", lambda: False)
    leaves = [mg.Value(float(k + 1), name=n) for k, n in enumerate(HOSTILE_NAMES)]
    f = leaves[0]
    for v in leaves[1:]:
        f = f * v
    f.name = "<i onmouseover=window.__pwned=1>f</i>"
    f.backward()
    title = "<script>window.__pwned=1</script> title"
    path = viz.to_html(f, tmp_path / "hostile.html", title=title)
    page.goto(path.as_uri())
    page.wait_for_function("window.minigradStepper !== undefined")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.text_content("#title") == title
    assert page.title() == title
    labels = page.evaluate("window.minigradStepper.data.nodes.map(n => n.label)")
    assert set(HOSTILE_NAMES) <= set(labels)
    assert page.locator("img").count() == 0
    total = page.evaluate("window.minigradStepper.data.steps.length")
    shown = set()
    for _ in range(total):
        page.click("#step")
        shown.add(page.text_content("#node-name"))
    assert set(HOSTILE_NAMES) <= shown                   # each name shown as itself, as text
    assert page.text_content("#counter") == f"step {total} / {total}"
    page.mouse.move(10, 10)
    for name in HOSTILE_NAMES:                           # the diagram's texts too
        if graphviz:
            assert page.locator("#diagram svg text", has_text=name.split("\\")[0]).count() >= 1
    assert page.evaluate("typeof window.__pwned") == "undefined"
