"""Take real screenshots of the dashboard's main views (for the README).

Run: ``python tests/browser/screenshots.py [docs/screenshots]``. Starts ``neuromod dashboard``
on a free port, drives headless Chromium (the system package) through the main views and
saves one PNG per view. Not collected by pytest.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_helpers import (
    CHROMIUM_ARGS,
    VIEWPORT,
    choose,
    chromium_path,
    free_port,
    open_dashboard,
    settle,
    show_tab,
    start_dashboard,
    stop_dashboard,
    type_value,
)

from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS


def take(out_dir: Path) -> list[Path]:
    """Save the screenshots into ``out_dir``; return their paths."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc, _ = start_dashboard(port)
    saved = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            # Tall enough to show the controls, both figures and the tabbed figure at once.
            page = browser.new_page(viewport=dict(VIEWPORT, height=1350))
            page.base_url = f"http://127.0.0.1:{port}/"

            def shot(name: str) -> None:
                page.evaluate("() => document.activeElement && document.activeElement.blur()")
                page.mouse.move(0, 0)  # no focus ring or tooltip in the picture
                settle(page)
                page.wait_for_timeout(300)  # let plotly finish its transitions
                path = out_dir / f"{name}.png"
                page.screenshot(path=str(path))
                saved.append(path)

            open_dashboard(page)
            shot("main")
            show_tab(page, "Fibres")
            shot("fibres")
            show_tab(page, "The gate")
            page.locator("#fig-session .js-plotly-plot").click(position={"x": 420, "y": 150})
            shot("gate")
            path = out_dir / "rate-response.png"
            page.locator("#fig-rate").screenshot(path=str(path))
            saved.append(path)
            show_tab(page, "Safety and energy")
            type_value(page, "pulse_width_us", "300")
            type_value(page, "amplitude_mA", "10")
            page.wait_for_selector(".warn-box")
            shot("safety-warning")
            type_value(page, "amplitude_mA", "500")
            page.wait_for_selector(".param-row.invalid")
            shot("bad-input")
            page.locator("#btn-reset").click()
            settle(page)
            page.locator("#btn-pin").click()
            choose(page, "program-preset", PROGRAM_PRESETS["scs-10khz"].title)
            shot("ab-comparison")
            page.locator("#btn-lecture").click()
            shot("lecture")
            page.locator("#btn-lecture").click()
            page.locator("#btn-unpin").click()
            choose(page, "program-preset", PROGRAM_PRESETS["scs-tonic"].title)
            choose(page, "patient-preset", PATIENT_PRESETS["small-fibre-neuropathy"].title)
            show_tab(page, "Diagnosis")
            page.locator("#dx-cold").click()
            page.locator("#dx-course-opts input").first.check()
            settle(page)
            page.wait_for_timeout(300)
            path = out_dir / "diagnosis.png"
            page.locator(".diagnosis").screenshot(path=str(path))
            saved.append(path)
            # Lecture mode as a projector shows it: 1280 x 800 and 1920 x 1080.
            for w, h in ((1280, 800), (1920, 1080)):
                page = browser.new_page(viewport={"width": w, "height": h})
                page.base_url = f"http://127.0.0.1:{port}/"
                open_dashboard(page, "?lecture=1")
                shot(f"lecture-{w}x{h}")
                page.close()
            browser.close()
    finally:
        stop_dashboard(proc)
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    for path in take(target):
        print(path)
