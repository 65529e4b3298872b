"""« Statistiques » in Chromium: the manager « gestionnaire », signed in through the demo
CAS, opens the statistics of the demo's tickets, then asks for days of their own and
gets them wrong once. axe checks each screen, charts and their tables included."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from routes._statistics import TABLES
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import sign_in_on_cas_page


def test_a_manager_reads_the_statistics_of_the_service(assistance, page):
    _, url = assistance
    page.goto(url + "/statistics")
    sign_in_on_cas_page(page, "gestionnaire")
    page.wait_for_url(url + "/statistics")
    tab = page.locator("#hd-root")
    for slug in TABLES:
        expect(tab.locator(f"#hd-statistics-{slug}")).to_be_visible()
    charts = tab.locator("svg[role=img]")
    assert charts.count() == 10
    expect(charts.first).to_be_visible()
    assert charts.first.bounding_box()["height"] > 100  # drawn, with our stylesheet
    assert_accessible(page)

    # A period of one's own, given backwards: said beside the field, nothing drawn.
    page.goto(url + "/statistics?period=custom&start=2025-02-01&end=2025-01-01")
    expect(tab.locator("#end-error")).to_be_visible()
    expect(tab.locator("#end")).to_have_attribute("aria-invalid", "true")
    assert tab.locator("svg").count() == 0
    assert_accessible(page)

    page.goto(url + "/statistics?period=custom&start=2025-01-01&end=2025-02-28&interval=day")
    expect(tab.locator("#hd-statistics-created")).to_be_visible()
    assert re.search(r"59", tab.locator(".hd-statistics__data summary").first.inner_text())
