"""The words beside a control, in headless Chromium against the real server."""
import pytest
from browser_helpers import message, open_dashboard, pid, type_value
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_out_of_range_amplitude_is_named_by_the_label_beside_it(page):
    open_dashboard(page)
    label = page.locator(pid("row", "amplitude_mA") + " .param-label")
    expect(label).to_have_text("Amplitude [mA]")
    type_value(page, "amplitude_mA", "500")
    msg = message(page, "amplitude_mA")
    expect(msg).to_have_text("Amplitude [mA] = 500 is outside 0..100 mA")
    expect(msg).not_to_contain_text("amplitude_mA")
    expect(page.locator("#global-msg")).to_contain_text("“Amplitude [mA]”")
    type_value(page, "amplitude_mA", "2,5")  # a decimal comma: a hint, not applied
    expect(msg).to_contain_text("use a decimal point: 2.5")
    type_value(page, "amplitude_mA", "2.5")
    expect(msg).to_have_text("")
