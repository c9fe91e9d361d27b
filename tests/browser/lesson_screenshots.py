"""Take real screenshots of a lecture (for the README): the presenter's screen with its panel
and histogram, and a student's phone.

Run: ``python tests/browser/lesson_screenshots.py [docs/screenshots]``. Starts ``neuromod
dashboard --lesson 01-gate-control-and-rate`` on a free loopback port, drives headless
Chromium (the system package) as the presenter and as twelve phones answering a question,
and saves ``lesson-presenter.png``, ``lesson-revealed.png`` and ``lesson-phone.png``. Not
collected by pytest.
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402
from browser_helpers import CHROMIUM_ARGS, chromium_path, settle  # noqa: E402

ANSWERS = [20, 25, 30, 30, 35, 40, 40, 45, 50, 60, 70, 10]


def take(out_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp(prefix="neuromod-shots-")) / "lecture.sqlite"
    port = L.free_port()
    proc, _ = L.start_command([sys.executable, "-m", "sim.cli", "dashboard", "--port",
                               str(port), "--lesson", "01-gate-control-and-rate",
                               "--answers", str(db)], port)
    base = f"http://127.0.0.1:{port}"
    saved = []
    try:
        token = re.search(r"token=(\w+)", L._output(proc)).group(1)  # type: ignore[union-attr]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            pres = browser.new_page(viewport={"width": 1600, "height": 1000})
            pres.goto(f"{base}/lesson/present?token={token}")
            pres.wait_for_selector("#fig-session .main-svg", timeout=30000)
            pres.keyboard.press("ArrowRight")
            pres.wait_for_function("() => document.querySelector('#lesson-step')"
                                   ".textContent.startsWith('Step 2')")
            settle(pres)
            phone = None
            for v in ANSWERS:
                ctx = browser.new_context(viewport={"width": 390, "height": 760},
                                          is_mobile=True, has_touch=True,
                                          device_scale_factor=1)
                phone = ctx.new_page()
                phone.goto(f"{base}/j")
                phone.wait_for_selector("#value")
                phone.fill("#value", str(v))
                phone.click("#send")
                phone.wait_for_function("() => document.querySelector('#msg').textContent"
                                        ".startsWith('Answer received')")
            assert phone is not None
            path = out_dir / "lesson-phone.png"
            phone.screenshot(path=str(path))
            saved.append(path)
            pres.wait_for_function(f"() => document.querySelector('#lesson-count')"
                                   f"?.dataset.total === '{len(ANSWERS)}'")
            pres.mouse.move(0, 0)
            path = out_dir / "lesson-presenter.png"
            pres.screenshot(path=str(path))
            saved.append(path)
            pres.keyboard.press("r")
            pres.wait_for_selector("#lesson-hist .bar-row.right")
            settle(pres)
            pres.wait_for_timeout(500)
            path = out_dir / "lesson-revealed.png"
            pres.screenshot(path=str(path))
            saved.append(path)
            browser.close()
    finally:
        L.stop_server(proc)
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    for path in take(target):
        print(path)
