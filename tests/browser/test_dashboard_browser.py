"""What a person does with the dashboard, in headless Chromium against the real server."""
import json

import pytest
from browser_helpers import (
    choose,
    field,
    figure_meta,
    message,
    open_dashboard,
    open_section,
    pid,
    section_rows,
    settle,
    show_tab,
    trace_names,
    type_value,
)
from playwright.sync_api import expect

from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS
from sim.session import Session

pytestmark = pytest.mark.browser




def _charge(page) -> float:
    return figure_meta(page, "fig-wave")["charge_per_phase_uC"]


def test_page_works_offline_with_no_external_request(page):
    open_dashboard(page)
    thumb = page.locator(pid("slider", "amplitude_mA") + " [role=slider]")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    for label in ("Fibres", "The gate", "Diagnosis", "Safety and energy"):
        show_tab(page, label)
    page.locator("#btn-lecture").click()
    settle(page)
    assert page.external_requests == []
    html = page.content().lower()
    assert "cdn." not in html and "fonts.googleapis" not in html and "mathjax" not in html


def test_program_preset_loads_every_control(page):
    open_dashboard(page)
    title = PROGRAM_PRESETS["scs-10khz"].title
    choose(page, "program-preset", title)
    expect(field(page, "rate_hz")).to_have_value("10000")
    expect(field(page, "pulse_width_us")).to_have_value("30")
    settings = PROGRAM_PRESETS["scs-10khz"].settings
    q = settings["amplitude_mA"] * settings["pulse_width_us"] * 1e-3  # mA × µs = nC -> µC
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('#fig-wave .js-plotly-plot')"
        f".layout.meta.charge_per_phase_uC - {q}) < 1e-9")
    assert "?s=" in page.url


def test_slider_release_updates_the_figures(page):
    open_dashboard(page)
    amp = float(field(page, "amplitude_mA").input_value())
    pw = float(field(page, "pulse_width_us").input_value())
    session_before = page.evaluate(
        "document.querySelector('#fig-session .js-plotly-plot').layout.title.text")
    safety_before = figure_meta(page, "fig-safety")["charge_density_uC_per_cm2"]
    thumb = page.locator(pid("slider", "amplitude_mA") + " [role=slider]")
    thumb.focus()
    page.keyboard.press("ArrowRight")  # one step: +0.1 mA, committed like a mouse release
    expect(field(page, "amplitude_mA")).to_have_value(f"{amp + 0.1:g}")
    expected = (amp + 0.1) * pw * 1e-3
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('#fig-wave .js-plotly-plot')"
        f".layout.meta.charge_per_phase_uC - {expected}) < 1e-9")
    settle(page)
    assert figure_meta(page, "fig-safety")["charge_density_uC_per_cm2"] > safety_before
    expect(page.locator("#summary")).to_contain_text(f"{expected:.3g} µC")
    assert session_before  # the session figure is still there
    expect(page.locator("#fig-session .main-svg").first).to_be_visible()


def test_typed_value_moves_its_slider_in_one_request(page):
    open_dashboard(page)
    requests = []  # requests of the update callback (the one that writes fig-keys)
    page.on("request", lambda r: requests.append(r) if "_dash-update-component" in r.url
            and "fig-keys.data" in (r.post_data or "") else None)
    type_value(page, "amplitude_mA", "5.5")
    thumb = page.locator(pid("slider", "amplitude_mA") + " [role=slider]")
    expect(thumb).to_have_attribute("aria-valuenow", "5.5")
    pw = float(field(page, "pulse_width_us").input_value())
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('#fig-wave .js-plotly-plot')"
        f".layout.meta.charge_per_phase_uC - {5.5 * pw * 1e-3}) < 1e-9")
    settle(page)
    expect(field(page, "amplitude_mA")).to_have_value("5.5")
    assert len(requests) == 1  # the slider carried the typed value: no second round trip


def test_bad_typed_value_shows_the_message_and_keeps_the_plot(page):
    open_dashboard(page)
    before = _charge(page)
    type_value(page, "amplitude_mA", "500")
    expect(message(page, "amplitude_mA")).to_have_text(
        "Amplitude [mA] = 500 is outside 0..100 mA")
    expect(page.locator("#global-msg")).to_contain_text("Not applied")
    expect(page.locator(pid("row", "amplitude_mA"))).to_have_class("param-row num invalid")
    settle(page)
    assert _charge(page) == before  # the last good figure stays on screen
    expect(page.locator("#fig-wave .main-svg").first).to_be_visible()
    type_value(page, "amplitude_mA", "abc")
    expect(message(page, "amplitude_mA")).to_contain_text("'abc' is not a number")
    type_value(page, "amplitude_mA", "5")
    expect(message(page, "amplitude_mA")).to_have_text("")
    expect(page.locator("#global-msg")).to_have_text("")
    pw = float(field(page, "pulse_width_us").input_value())
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('#fig-wave .js-plotly-plot')"
        f".layout.meta.charge_per_phase_uC - {5 * pw * 1e-3}) < 1e-9")
    assert "Traceback" not in page.content()


def test_ab_comparison_overlays_a_on_every_time_plot(page):
    open_dashboard(page)
    page.locator("#btn-pin").click()
    expect(page.locator("#ab-status")).to_contain_text("A pinned")
    choose(page, "program-preset", PROGRAM_PRESETS["scs-burst"].title)
    page.wait_for_function("() => document.querySelector('#fig-wave .js-plotly-plot')"
                           ".data.some(t => t.name === 'A (pinned)')")
    assert "B (this session)" in trace_names(page, "fig-wave")
    names = trace_names(page, "fig-session")
    if names:  # the session model is installed
        assert "A (pinned)" in names and "B (this session)" in names
    expect(page.locator("#summary .tag-a").first).to_be_visible()
    bars = page.evaluate("document.querySelector('#fig-safety .js-plotly-plot')"
                         ".data.find(t => t.type === 'bar').y")
    assert "density (A)" in bars and "density (B)" in bars
    page.locator("#btn-unpin").click()
    settle(page)
    page.wait_for_function("() => !document.querySelector('#fig-wave .js-plotly-plot')"
                           ".data.some(t => t.name === 'A (pinned)')")
    expect(page.locator("#ab-status")).to_have_text("")


def test_json_download_then_import_restores_the_configuration(page, tmp_path):
    open_dashboard(page)
    type_value(page, "amplitude_mA", "5.5")
    type_value(page, "duration_s", "300")
    settle(page)
    with page.expect_download() as info:
        page.locator("#btn-json").click()
    path = tmp_path / "session.json"
    info.value.save_as(path)
    saved = Session.from_json(path.read_text())
    assert saved.program.amplitude_mA == 5.5 and saved.duration_s == 300
    assert info.value.suggested_filename == "neuromod-session.json"

    page.locator("#btn-reset").click()
    settle(page)
    expect(field(page, "duration_s")).to_have_value("240")
    page.locator("#upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#global-msg")).to_have_text("Imported session.json.")
    expect(field(page, "amplitude_mA")).to_have_value("5.5")
    expect(field(page, "duration_s")).to_have_value("300")

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"program": {"pulse_width_us": 5000}}))
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    expect(page.locator("#global-msg")).to_have_text(
        "Could not import bad.json: Pulse width [µs] = 5000 is outside 10..1000 µs (key "
        "“pulse_width_us” in the file). Nothing was changed.")
    expect(field(page, "amplitude_mA")).to_have_value("5.5")


def test_csv_download_of_the_session_series_opens_as_data(page, tmp_path):
    """The downloaded file opens with a plain ``pandas.read_csv``: one header row with the
    units in the names, one row per sample, every column numeric."""
    import pandas as pd

    from sim.session import SERIES_UNITS
    from sim.tables import column_name

    open_dashboard(page)
    with page.expect_download() as info:
        page.locator("#btn-csv").click()
    assert info.value.suggested_filename == "neuromod-session.csv"
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert not path.read_text().startswith("#")
    df = pd.read_csv(path)
    assert list(df.columns) == [column_name(k) for k in ["t_s", *SERIES_UNITS]]
    assert list(df.columns[:3]) == ["t_s", "pain_nrs", "paresthesia_0to10"]
    assert df.shape == (240 * 50 + 1, 1 + len(SERIES_UNITS))  # 240 s at 20 ms
    assert all(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns)
    assert df["t_s"].iloc[-1] == 240 and df["t_s"].iloc[3] == 0.06


def test_url_round_trip_restores_everything(page, context):
    open_dashboard(page)
    choose(page, "program-preset", PROGRAM_PRESETS["scs-burst"].title)
    page.locator("#btn-pin").click()
    settle(page)
    type_value(page, "amplitude_mA", "1.4")
    choose(page, "patient-preset", "Complex regional pain syndrome")
    page.locator("#btn-lecture").click()
    settle(page)
    shared = page.url
    wave = figure_meta(page, "fig-wave")

    other = context.new_page()
    other.base_url = page.base_url
    other.goto(shared)
    other.wait_for_selector("#fig-wave .main-svg")
    settle(other)
    expect(field(other, "amplitude_mA")).to_have_value("1.4")
    expect(field(other, "pulses_per_burst")).to_have_value(field(page, "pulses_per_burst")
                                                           .input_value())
    open_section(other, "patient")  # the link's patient: the preset's value
    expect(field(other, "inhibition_efficacy")).to_have_value(
        f"{PATIENT_PRESETS['crps'].patient().inhibition_efficacy:g}")
    expect(other.locator("#root")).to_have_class("app lecture")
    expect(other.locator("#ab-status")).to_contain_text("A pinned: SCS burst")
    other.wait_for_function(f"() => Math.abs(document.querySelector('#fig-wave .js-plotly-plot')"
                            f".layout.meta.charge_per_phase_uC - {wave['charge_per_phase_uC']})"
                            " < 1e-12")
    other.close()


def test_a_malformed_link_keeps_the_defaults_and_says_why(page):
    open_dashboard(page, "?s=this-is-not-a-session")
    expect(page.locator("#global-msg")).to_contain_text("could not be read")
    default = PROGRAM_PRESETS["scs-tonic"].settings["amplitude_mA"]
    expect(field(page, "amplitude_mA")).to_have_value(f"{default:g}")
    expect(page.locator("#fig-wave .main-svg").first).to_be_visible()


def test_lecture_mode_and_keyboard_shortcuts(page):
    open_dashboard(page)
    normal = page.evaluate("document.querySelector('#fig-wave .js-plotly-plot').layout.font.size")
    page.locator("body").press("l")
    expect(page.locator("#root")).to_have_class("app lecture")
    page.wait_for_function(
        f"() => document.querySelector('#fig-wave .js-plotly-plot').layout.font.size > {normal}")
    assert "lecture=1" in page.url
    names = list(PROGRAM_PRESETS)
    page.locator("body").press("ArrowRight")  # next program preset
    settle(page)
    expect(page.locator("#program-preset")).to_contain_text(PROGRAM_PRESETS[names[1]].title)
    page.locator("body").press("PageUp")  # back (presentation clickers send PageUp/PageDown)
    expect(page.locator("#program-preset")).to_contain_text(PROGRAM_PRESETS[names[0]].title)
    page.locator("#btn-lecture").click()
    expect(page.locator("#root")).to_have_class("app")


def test_zooming_the_waveform_draws_only_the_visible_window(page):
    open_dashboard(page)
    type_value(page, "duration_s", "1800")
    choose(page, "program-preset", PROGRAM_PRESETS["scs-10khz"].title)
    page.evaluate("Plotly.relayout(document.querySelector('#fig-wave .js-plotly-plot'),"
                  " {'xaxis.range[0]': 900000, 'xaxis.range[1]': 900010})")
    page.wait_for_function("() => document.querySelector('#fig-wave .js-plotly-plot')"
                           ".layout.meta.window_s[0] === 900")
    meta = figure_meta(page, "fig-wave")
    assert meta["pulses_in_window"] == 100 and meta["mode"] == "exact"
    page.evaluate("Plotly.relayout(document.querySelector('#fig-wave .js-plotly-plot'),"
                  " {'xaxis.range[0]': 0, 'xaxis.range[1]': 1800000})")
    page.wait_for_function("() => document.querySelector('#fig-wave .js-plotly-plot')"
                           ".layout.meta.mode === 'envelope'")


def test_a_treatment_is_added_edited_and_shared_by_link(page, context):
    from dashboard import state as S
    from sim.treatments import TREATMENT_KINDS
    open_dashboard(page)
    before = page.url
    page.locator("#tr-add").click()
    settle(page)
    # a new row waits for its kind: nothing is simulated, the link does not change
    assert page.url == before
    expect(page.locator("#treatments-list .ev-kind")).to_contain_text("choose a treatment")
    page.locator("#treatments-list .ev-kind").click()
    page.get_by_role("option", name=TREATMENT_KINDS["gabapentin"].title, exact=True).click()
    settle(page)
    assert page.url != before
    dose = page.locator("input[name='treatment-1-dose']")
    expect(dose).to_be_visible()
    dose.fill("99999")                      # above gabapentin's 3600 mg/day
    dose.press("Tab")
    settle(page)
    expect(page.locator("#global-msg")).to_contain_text("Daily dose [mg/day] = 99999 is outside")
    dose.fill("2400")
    dose.press("Tab")
    settle(page)
    shared = S.decode_search(page.url.split("?", 1)[1]).session
    assert [(t.kind, t.dose_mg_per_day) for t in shared.treatments] == [("gabapentin", 2400.0)]
    other = context.new_page()
    other.base_url = page.base_url
    other.goto(page.url)
    other.wait_for_selector("#fig-wave .main-svg")
    settle(other)
    expect(other.locator("input[name='treatment-1-dose']")).to_have_value("2400")


def test_a_closed_section_opens_with_the_current_settings(page):
    """A closed section's rows are not on the page; opened, they show the settings as they are
    now (a preset loaded while it was closed); closing and reopening loses nothing, neither a
    value kept through edits elsewhere nor a rejected value with its message."""
    open_dashboard(page)
    expect(section_rows(page, "patient")).to_have_count(0)
    expect(section_rows(page, "device")).to_have_count(0)
    crps = PATIENT_PRESETS["crps"]
    choose(page, "patient-preset", crps.title)
    open_section(page, "patient")
    expect(field(page, "inhibition_efficacy")).to_have_value(
        f"{crps.patient().inhibition_efficacy:g}")

    open_section(page, "device")
    type_value(page, "impedance_ohm", "2500")
    settle(page)
    page.locator(pid("section-head", "device")).click()  # closed: its rows leave the page
    expect(section_rows(page, "device")).to_have_count(0)
    type_value(page, "amplitude_mA", "3.3")            # an edit elsewhere applies
    pw = float(field(page, "pulse_width_us").input_value())
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('#fig-wave .js-plotly-plot')"
        f".layout.meta.charge_per_phase_uC - {3.3 * pw * 1e-3}) < 1e-9")
    open_section(page, "device")
    expect(field(page, "impedance_ohm")).to_have_value("2500")  # kept through the edit
    type_value(page, "battery_capacity_mAh", "-3")     # rejected: below the allowed range
    expect(message(page, "battery_capacity_mAh")).to_contain_text("Battery capacity [mAh]")
    page.locator(pid("section-head", "device")).click()
    expect(section_rows(page, "device")).to_have_count(0)
    open_section(page, "device")
    expect(field(page, "battery_capacity_mAh")).to_have_value("-3")
    expect(message(page, "battery_capacity_mAh")).to_contain_text("Battery capacity [mAh]")


def test_resizing_the_window_sends_no_update_request(page):
    """The waveform's resize relayouts stay in the browser (only zooms reach the server)."""
    open_dashboard(page)
    requests = []
    page.on("request", lambda r: requests.append(r) if "_dash-update-component" in r.url
            and "fig-keys.data" in (r.post_data or "") else None)
    for width in (1200, 1500, 1600):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(300)
        settle(page)
    assert requests == []


def test_a_treatment_option_is_edited_in_its_row(page):
    """A block's site is chosen under its row, and the link carries it."""
    from dashboard import state as S
    from sim.treatments import Treatment
    s = S.default_session().replace(treatments=(
        Treatment(kind="lidocaine-block", concentration_pct=1.0, start_s=60.0),))
    open_dashboard(page, S.encode_search(s))
    site = page.locator("[id='" + json.dumps({"col": "block_site", "row": 0, "type": "tr"},
                                              separators=(",", ":")) + "']")
    expect(site).to_contain_text("proximal")
    before = page.url
    site.click()
    page.get_by_role("option", name="distal", exact=True).click()
    settle(page)
    page.wait_for_function("(u) => window.location.href !== u", arg=before)
    shared = S.decode_search(page.url.split("?", 1)[1]).session
    assert [(t.kind, t.block_site, t.block_order) for t in shared.treatments] == [
        ("lidocaine-block", "distal", "c-first")]


@pytest.mark.parametrize("therapy, label", [("tens", "TENS"), ("pns", "PNS")])
def test_switching_therapy_just_works(page, therapy, label):
    """Click Therapy → TENS (or PNS) on the default SCS page: the contacts and every other
    field that depends on where the current goes follow the therapy's default, the figures
    switch, and no message appears anywhere."""
    from sim.presets import therapy_program
    open_dashboard(page)
    page.locator(pid("field", "therapy")).get_by_text(label, exact=True).click()
    settle(page)
    expected = therapy_program(PROGRAM_PRESETS["scs-tonic"].program(), therapy)
    open_section(page, "contacts")
    expect(field(page, "contacts")).to_have_value(expected.contacts)
    expect(field(page, "amplitude_mA")).to_have_value(f"{expected.amplitude_mA:g}")
    assert page.locator("#global-msg").inner_text().strip() == ""
    assert page.locator(".param-row.invalid").count() == 0
    from dashboard import state as S
    shared = S.decode_search(page.url.split("?", 1)[1]).session
    assert shared.program.therapy == therapy and shared.program == expected
    meta = figure_meta(page, "fig-wave")
    assert meta["charge_per_phase_uC"] == pytest.approx(
        expected.amplitude_mA * expected.pulse_width_us * 1e-3)


def test_stepping_presets_redraws_everything_from_one_round_trip(page):
    """A lecturer steps program presets with →: the first answer carries the figures (no
    second round trip before they are drawn), and every control and figure shows the preset,
    also when the previous one had other fields (burst → 10 kHz → PNS...)."""
    open_dashboard(page)
    answers = []
    page.on("response", lambda r: answers.append(r) if "_dash-update-component" in r.url
            else None)
    names = list(PROGRAM_PRESETS)
    for name in names[1:] + names[:1]:
        answers.clear()
        page.locator("body").press("ArrowRight")
        settle(page)
        first = json.loads(answers[0].body())["response"]
        assert "store-session" in first and "fig-wave" in first and "fig-session" in first
        expect(page.locator("#program-preset")).to_contain_text(PROGRAM_PRESETS[name].title)
        settings = PROGRAM_PRESETS[name].program()
        expect(field(page, "rate_hz")).to_have_value(f"{settings.rate_hz:g}")
        assert figure_meta(page, "fig-wave")["charge_per_phase_uC"] == pytest.approx(
            settings.amplitude_mA * settings.pulse_width_us * 1e-3)


_FIT_JS = """() => {
    const vw = window.innerWidth, vh = window.innerHeight, out = [];
    const inside = (r, b, what) => {
        if (r.width === 0 || r.height === 0) return;
        if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 ||
            r.bottom > b.bottom + 1) out.push(what);
    };
    if (document.documentElement.scrollWidth > vw) out.push('page wider than the screen');
    for (const id of ['fig-wave', 'fig-session']) {
        const panel = document.getElementById(id).closest('.panel').getBoundingClientRect();
        inside(panel, {left: 0, top: 0, right: vw, bottom: vh}, id + ' below the fold');
        const gd = document.querySelector('#' + id + ' .js-plotly-plot');
        const box = gd.getBoundingClientRect();
        gd.querySelectorAll('.gtitle, .annotation, .xtitle, .ytitle, .y2title, .legend')
          .forEach(el => inside(el.getBoundingClientRect(), box,
                                id + ' ' + (el.textContent || el.getAttribute('class'))));
    }
    document.querySelectorAll('.cards .card').forEach(c =>
        inside(c.getBoundingClientRect(), {left: 0, top: 0, right: vw, bottom: vh},
               'card ' + c.textContent.slice(0, 20)));
    const ticks = [...document.querySelectorAll('.rc-slider-mark-text')]
        .filter(t => t.getBoundingClientRect().width > 0)
        .map(t => parseFloat(getComputedStyle(t).fontSize));
    return {cut: out, smallest_tick_px: Math.min(...ticks)};
}"""


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def test_lecture_mode_fits_a_projector(page, size, tmp_path):
    """Lecture mode on a projector: the cards and both main figures above the fold, no title,
    annotation, axis title or legend cut, slider ticks readable from the hall, every axis
    with its unit."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_dashboard(page, "?lecture=1")
    expect(page.locator("#root")).to_have_class("app lecture")
    page.wait_for_timeout(300)  # the figures' own resize to their panels
    found = page.evaluate(_FIT_JS)
    page.screenshot(path=str(tmp_path / f"lecture-{size[0]}x{size[1]}.png"))
    assert found["cut"] == [], found["cut"]
    assert found["smallest_tick_px"] >= 14
    for graph in ("fig-wave", "fig-session"):
        titles = page.evaluate(
            "(id) => [...document.querySelectorAll('#' + id + ' .xtitle, #' + id + ' .ytitle,"
            " #' + id + ' .y2title')].map(t => t.textContent)", graph)
        assert titles and all("[" in t for t in titles), titles


def _top(page, selector: str) -> float:
    return page.evaluate("(s) => document.querySelector(s).getBoundingClientRect().top",
                         selector)


def test_nothing_jumps_and_the_toolbar_is_one_row_at_1600px(page):
    """The "modified" tag, a page message and a safety warning appear without moving the
    figures; the toolbar stays on one row at 1600 px."""
    page.set_viewport_size({"width": 1600, "height": 900})
    open_dashboard(page)
    tops = page.evaluate("() => [...document.querySelector('.toolbar').children]"
                         ".map(c => Math.round(c.getBoundingClientRect().top))")
    assert max(tops) - min(tops) <= 4, tops
    panel = "#fig-wave"
    y0 = _top(page, panel)
    type_value(page, "amplitude_mA", "4.3")  # the program preset becomes "modified"
    settle(page)
    expect(page.locator("#program-preset-note")).to_have_text("modified")
    assert _top(page, panel) == y0
    type_value(page, "pulse_width_us", "300")
    type_value(page, "amplitude_mA", "10")  # a safety warning
    page.wait_for_selector(".warn-box")
    settle(page)
    assert _top(page, panel) == y0
    page.locator("#tr-add").click()  # a treatment row in the sidebar, then a page message
    settle(page)
    page.locator("#treatments-list .ev-kind").click()
    page.get_by_role("option", name="Gabapentin", exact=True).click()
    settle(page)
    dose = page.locator("input[name='treatment-1-dose']")
    dose.fill("99999")
    dose.press("Tab")
    settle(page)
    expect(page.locator("#global-msg")).not_to_be_empty()
    assert _top(page, panel) == y0


def test_treatment_and_event_rows_are_readable_in_the_sidebar(page):
    """Long treatment names and the dose unit are shown whole, not cut to "Gabap…"."""
    from sim.treatments import TREATMENT_KINDS
    open_dashboard(page)
    page.locator("#tr-add").click()
    settle(page)
    page.locator("#treatments-list .ev-kind").click()
    title = TREATMENT_KINDS["capsaicin-patch"].title if "capsaicin-patch" in TREATMENT_KINDS \
        else TREATMENT_KINDS["amitriptyline"].title
    page.get_by_role("option", name=title, exact=True).click()
    settle(page)
    cut = page.evaluate("""() => {
        const out = [];
        const fits = (el, text) => {
            const c = document.createElement('canvas').getContext('2d');
            c.font = getComputedStyle(el).font;
            return c.measureText(text).width <= el.clientWidth;
        };
        document.querySelectorAll('#treatments-list .ev-kind, #events-list .ev-kind')
          .forEach(d => { const v = d.querySelector('.Select-value-label');
                          if (v && v.scrollWidth > v.clientWidth + 1) out.push(v.textContent); });
        document.querySelectorAll('#treatments-list input.ev-num, #events-list input.ev-num')
          .forEach(i => { const t = i.value || i.placeholder;
                          if (!fits(i, t)) out.push(t); });
        return out;
    }""")
    assert cut == [], cut


def test_placement_tab_redraws_with_the_other_figures_in_one_round_trip(page):
    """The Placement tab draws the body map, the ECAP and the twitch-free text; a typed
    amplitude then changes the ECAP's size in the same answer that redraws the waveform (one
    update request, no second one for the tab); moving the lead sideways narrows the
    paresthesia on the body map."""
    open_dashboard(page)
    show_tab(page, "Placement")
    page.wait_for_selector("#fig-ecap .main-svg", timeout=30000)
    page.wait_for_selector("#fig-bodymap .main-svg", timeout=30000)
    expect(page.locator("#pl-text")).to_contain_text("Paresthesia in")

    def ecap_title() -> str:
        return page.locator("#fig-ecap .gtitle").text_content()

    before = ecap_title()
    answers = []
    page.on("request", lambda r: answers.append(r) if "_dash-update-component" in r.url
            else None)
    type_value(page, "amplitude_mA", "6")
    settle(page)
    assert ecap_title() != before
    assert len(answers) == 1, [r.post_data[:80] for r in answers]
    assert "fig-ecap" in answers[0].post_data and "fig-wave" in answers[0].post_data

    felt = page.locator("#pl-text").inner_text()
    open_section(page, "contacts")
    type_value(page, "lateral_offset_mm", "3")
    settle(page)
    expect(page.locator("#pl-text")).not_to_have_text(felt)
    assert page.js_errors == []
