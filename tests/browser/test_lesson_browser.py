"""A lecture in real browsers: a presenter and several students (phones) go through a lesson
(predict, reveal, next) on ``neuromod dashboard --workers 2 --lesson``; every answer is
counted exactly once; the handout opens offline with its figures."""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from browser_helpers import field, offline_only, settle, type_value

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402  (server start/stop as users start it)

LESSON = "01-gate-control-and-rate"
PHONE = {"width": 390, "height": 844}
STUDENTS = 4


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    db = tmp_path_factory.mktemp("lecture") / "lecture.sqlite"
    port = L.free_port()
    proc, _ = L.start_command([sys.executable, "-m", "sim.cli", "dashboard", "--port",
                               str(port), "--workers", "2", "--lesson", LESSON, "--answers",
                               str(db)], port, workers=2)
    out = L._output(proc)
    token = re.search(r"token=(\w+)", out).group(1)
    yield f"http://127.0.0.1:{port}", token, db
    log = L.stop_server(proc)
    assert "Traceback" not in log, log


def _step_title(page) -> str:
    return page.locator("#lesson-step").inner_text()


def test_presenter_and_students_predict_reveal_and_move_on(browser, lecture, tmp_path):
    base, token, db = lecture
    external: list[str] = []
    errors: list[str] = []
    pres_ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    offline_only(pres_ctx, external)
    presenter = pres_ctx.new_page()
    presenter.on("pageerror", lambda e: errors.append(str(e)))
    presenter.goto(f"{base}/lesson/present?token={token}")
    presenter.wait_for_selector("#lesson-panel")
    presenter.wait_for_selector("#fig-session .main-svg", timeout=30000)
    settle(presenter)
    assert _step_title(presenter).startswith("Step 1 of 4")
    assert "lecture" in presenter.locator("#root").get_attribute("class")
    presenter.wait_for_function("() => document.querySelector('#lesson-qr').complete")
    assert presenter.locator("#lesson-qr").evaluate("i => i.naturalWidth") > 100

    # -> moves the lesson (not the program preset); the step's session is loaded
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_function("() => document.querySelector('#lesson-step')"
                                ".textContent.startsWith('Step 2 of 4')")
    settle(presenter)
    assert "lesson-predict" in presenter.locator("body").get_attribute("class")

    phones = []
    for _ in range(STUDENTS):
        ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        offline_only(ctx, external)
        pg = ctx.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(f"{base}/j")
        phones.append(pg)
    values = [10, 25, 40, 80]
    for pg, v in zip(phones, values, strict=True):
        pg.wait_for_selector("#value", timeout=10000)
        pg.fill("#value", str(v))
        pg.click("#send")
        pg.wait_for_function("() => document.querySelector('#msg').textContent"
                             ".startsWith('Answer received')")
    # a student changes their mind: still one answer
    phones[0].fill("#value", "30")
    phones[0].click("#send")
    phones[0].wait_for_function("() => document.querySelector('#msg').textContent"
                                ".startsWith('Answer received')")
    presenter.wait_for_function(
        f"() => document.querySelector('#lesson-count')?.dataset.total === '{STUDENTS}'",
        timeout=5000)
    counts = presenter.locator("#lesson-hist .bar-row").evaluate_all(
        "rows => rows.map(r => +r.dataset.count)")
    assert sum(counts) == STUDENTS

    # students cannot reveal; the presenter does (R), and everyone sees the answer
    r = phones[1].request.post(f"{base}/lesson/control", data={"action": "reveal"})
    assert r.status == 403
    presenter.keyboard.press("r")
    presenter.wait_for_selector("#lesson-answer:has-text(\"The model's answer\")")
    presenter.wait_for_selector("#lesson-hist .bar-row.right")
    assert "lesson-predict" not in presenter.locator("body").get_attribute("class")
    for pg in phones:
        pg.wait_for_selector("#answer:has-text(\"The model's answer\")", timeout=10000)

    # next: a multiple-choice step; every phone picks
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_function("() => document.querySelector('#lesson-step')"
                                ".textContent.startsWith('Step 3 of 4')")
    for i, pg in enumerate(phones):
        pg.wait_for_selector("#form button.choice", timeout=10000)
        pg.locator("#form button.choice").nth(i % 4).click()
        pg.wait_for_selector("#form button.choice.picked")
    presenter.wait_for_function(
        f"() => document.querySelector('#lesson-count')?.dataset.total === '{STUDENTS}'",
        timeout=5000)
    presenter.keyboard.press("r")
    presenter.wait_for_selector("#lesson-hist .bar-row.right")
    right = presenter.locator("#lesson-hist .bar-row.right span").first.inner_text()
    assert right == "200 Hz"  # the model's answer: the rate with the least pain

    # the lecturer changes a control, goes on, comes back: the step's session is back
    search = presenter.evaluate("() => location.search")
    type_value(presenter, "rate_hz", "20")
    settle(presenter)
    presenter.wait_for_function(f"() => location.search !== {search!r}")
    assert field(presenter, "rate_hz").input_value() == "20"
    assert _step_title(presenter).startswith("Step 3 of 4")  # typing moved nothing
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_function("() => document.querySelector('#lesson-step')"
                                ".textContent.startsWith('Step 4 of 4')")
    settle(presenter)
    assert presenter.evaluate("() => location.search") != search
    presenter.keyboard.press("ArrowLeft")
    presenter.wait_for_function("() => document.querySelector('#lesson-step')"
                                ".textContent.startsWith('Step 3 of 4')")
    settle(presenter)
    assert presenter.evaluate("() => location.search") == search
    assert field(presenter, "rate_hz").input_value() == "50"

    # every answer counted exactly once, per step and student
    con = sqlite3.connect(db)
    per_step = dict(con.execute("SELECT step, COUNT(*) FROM answers GROUP BY step"))
    assert per_step == {1: STUDENTS, 2: STUDENTS}
    assert con.execute("SELECT COUNT(DISTINCT student) FROM answers").fetchone()[0] == STUDENTS
    assert sorted(v for (v,) in con.execute("SELECT value FROM answers WHERE step = 1")) == \
        [25.0, 30.0, 40.0, 80.0]

    # the handout: downloaded by the presenter, opened later with no server and no network
    resp = presenter.request.get(f"{base}/lesson/handout.html")
    assert resp.status == 200
    handout = tmp_path / "handout.html"
    handout.write_bytes(resp.body())
    off = browser.new_context()
    blocked: list[str] = []
    off.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("file:", "data:", "blob:", "about:")) else (blocked.append(route.request.url),
                                                     route.abort()))
    pg = off.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(handout.as_uri())
    pg.wait_for_selector("#answers-2 .main-svg")
    assert pg.locator(".js-plotly-plot").count() >= 10
    assert pg.evaluate("() => typeof window.Plotly") == "object"
    bars = pg.evaluate("() => document.getElementById('answers-2').data[0].y")
    assert sum(bars) == STUDENTS
    assert blocked == [] and external == [] and errors == []
    for c in (off, pres_ctx, *(p.context for p in phones)):
        c.close()
