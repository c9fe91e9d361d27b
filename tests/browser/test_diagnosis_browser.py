"""The Diagnosis tab in headless Chromium: conduction study, bedside buttons, mood course."""
import pytest
from browser_helpers import choose, open_dashboard, settle, show_tab
from playwright.sync_api import expect

from sim.patients import PATIENT_PRESETS

pytestmark = pytest.mark.browser


def _title(page, graph_id):
    return page.evaluate(
        f"document.querySelector('#{graph_id} .js-plotly-plot').layout.title.text")


def test_diagnosis_tab_shows_a_normal_study_in_a_patient_in_pain(page):
    open_dashboard(page)
    choose(page, "patient-preset", PATIENT_PRESETS["small-fibre-neuropathy"].title)
    settle(page)
    show_tab(page, "Diagnosis")
    page.wait_for_function(
        "() => (document.querySelector('#fig-ncs .js-plotly-plot').layout.title.text || '')"
        ".includes('normal study')")
    expect(page.locator("#dx-ncs-table")).to_contain_text("does not rule out small-fibre")
    # the bedside buttons evoke their responses: cold burns in this patient
    page.locator("#dx-cold").click()
    expect(page.locator("#dx-exam-text")).to_contain_text("Cool burns")
    page.locator("#dx-pinprick").click()
    expect(page.locator("#dx-exam-text")).to_contain_text("wind-up")
    assert "pinprick" in _title(page, "fig-exam")
    # the course responds to its options
    page.locator("#dx-course-opts input").first.check()
    page.wait_for_function(
        "() => document.querySelector('#fig-course .js-plotly-plot').layout.annotations"
        ".some(a => a.text === 'stimulation on')")
    expect(page.locator("#dx-course-text")).to_contain_text("day 84")


def test_diagnosis_tab_follows_the_patient_controls(page):
    open_dashboard(page)
    show_tab(page, "Diagnosis")
    choose(page, "patient-preset", PATIENT_PRESETS["painful-diabetic-neuropathy"].title)
    page.wait_for_function(
        "() => (document.querySelector('#fig-ncs .js-plotly-plot').layout.title.text || '')"
        ".includes('abnormal study')")
    expect(page.locator("#dx-ncs-table")).to_contain_text("abnormal")
    choose(page, "dx-nerve", "Median (sensory, hand)")
    page.wait_for_function(
        "() => (document.querySelector('#fig-ncs .js-plotly-plot').layout.title.text || '')"
        ".includes('median')")
