"""The review desk and Cek Netral in a real browser, against a real agency-API process (with its
dispatcher) on the suite's FerretDB: an analyst verifies a case, the dispatcher forwards it, the
agency sees and acknowledges it; agencies never see each other's cases; Cek Netral judges drafts.

``PANTAU_SCREENSHOTS=1`` also writes the main pages to docs/screenshots/ (for the README)."""
from __future__ import annotations

import os
import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from shared.settings import REPO_ROOT

pytestmark = pytest.mark.integration
SHOTS = REPO_ROOT / "docs" / "screenshots"


def shot(driver, name: str, tmp_path) -> None:
    driver.save_screenshot(str(tmp_path / f"{name}.png"))
    if os.environ.get("PANTAU_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(max(900, height + 40), 2400))
        driver.save_screenshot(str(SHOTS / f"{name}.png"))
        driver.set_window_size(1280, 900)


def click(driver, css: str) -> None:
    """Click and wait for the next page (a form post answers with a redirect)."""
    button = driver.find_element(By.CSS_SELECTOR, css)
    button.click()
    WebDriverWait(driver, 15).until(_detached(button))


def _detached(element):
    """Selenium's ``staleness_of``, also when chromium, mid-navigation, answers that the node "does not
    belong to the document" (an unknown error, not a stale-element one)."""
    def check(_driver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False
    return check


def login(driver, desk, who: str) -> None:
    driver.get(f"{desk.base}/desk/login")
    driver.find_element(By.NAME, "api_key").send_keys(desk.keys[who])
    click(driver, 'button[data-action="login"]')
    assert driver.current_url.endswith("/desk/cases"), driver.page_source[:500]


def logout(driver) -> None:
    click(driver, 'button[data-action="logout"]')
    assert "/desk/login" in driver.current_url


def row_ids(driver) -> set[str]:
    return {r.get_attribute("data-case-id") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-case-id]")}


def wait_status(driver, url: str, status: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        driver.get(url)
        if driver.find_element(By.ID, "case-status").get_attribute("data-status") == status:
            return
        time.sleep(0.3)
    raise AssertionError(f"case at {url} never reached {status}")


def fetch_text(driver, path: str) -> tuple[int, str]:
    """A GET from inside the page (the session cookie goes along, as with the desk's export button)."""
    return tuple(driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));",
        path))


def test_analyst_verifies_and_the_agency_sees_and_acknowledges(desk, browser, tmp_path):
    d = browser
    case = desk.cases["semarang"]
    login(d, desk, "analyst")
    assert {desk.cases["semarang"], desk.cases["bps"]} <= row_ids(d)  # the queue: new cases
    assert desk.cases["semarang_fwd"] not in row_ids(d)  # already verified: not in the "new" queue
    row = d.find_element(By.CSS_SELECTOR, f'tr[data-case-id="{case}"]').text
    assert "kampanye melalui media sosial" in row and "social_media_campaign" not in row  # forms in Indonesian
    shot(d, "desk-queue", tmp_path)
    click(d, f'tr[data-case-id="{case}"] a.open')
    page = d.find_element(By.CSS_SELECTOR, f'article[data-case-id="{case}"]')
    assert page.find_elements(By.CSS_SELECTOR, "blockquote.post mark.evidence")  # evidence highlighted
    assert "PRABOWO GIBRAN 2024" in page.text and "Salam dua jari" in page.text  # media OCR and caption
    assert "Pasal 9 ayat (2) UU 5/2014" in page.text  # legal basis
    assert "handle_exact" in page.text and "Kelangkaan nama" in page.text  # match explanation
    shot(d, "desk-case", tmp_path)
    d.find_element(By.ID, "reason").send_keys("akun dan NIP cocok, unggahan kampanye")
    click(d, 'button[data-action="verify"]')
    assert "Kasus diverifikasi" in d.find_element(By.CSS_SELECTOR, ".flash").text
    url = f"{desk.base}/desk/cases/{case}"
    wait_status(d, url, "forwarded")  # the API process's dispatcher forwarded it
    receiver = desk.extra["receiver"]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(
            p == "/agency/PEMKOT-3374" and case.encode() in b for p, b in receiver.requests):
        time.sleep(0.2)
    assert any(p == "/agency/PEMKOT-3374" and case.encode() in b for p, b in receiver.requests), \
        "the agency's webhook was not sent"
    logout(d)

    login(d, desk, "semarang")
    assert row_ids(d) == {desk.cases["semarang"], desk.cases["semarang_fwd"]}
    shot(d, "desk-agency", tmp_path)
    click(d, f'tr[data-case-id="{case}"] a.open')
    assert "Batas penerimaan sebelum eskalasi" in d.page_source
    d.find_element(By.ID, "ack-note").send_keys("diterima BKPP")
    click(d, 'button[data-action="acknowledge"]')
    assert d.find_element(By.ID, "case-status").get_attribute("data-status") == "acknowledged"
    assert d.find_elements(By.CSS_SELECTOR, 'button[data-action="close"]')  # the outcome can be recorded next


def test_an_agency_never_sees_another_agencys_case(desk, browser):
    d = browser
    login(d, desk, "bps")
    assert row_ids(d) == set()  # BPS's own case is not forwarded yet; Semarang's are not BPS's
    d.get(f"{desk.base}/desk/cases/{desk.cases['semarang_fwd']}")
    assert "Kasus tidak ditemukan" in d.page_source and desk.cases["semarang_fwd"] not in d.page_source
    status, body = fetch_text(d, "/v1/cases/export?format=csv")
    assert status == 200 and body.lstrip("\ufeff").startswith("case_id,")
    assert desk.cases["semarang_fwd"] not in body and desk.cases["semarang"] not in body
    status, body = fetch_text(d, f"/v1/cases/{desk.cases['semarang_fwd']}")
    assert status == 404
    logout(d)
    login(d, desk, "semarang")
    status, body = fetch_text(d, "/v1/cases/export?format=csv")
    assert desk.cases["semarang_fwd"] in body and desk.cases["bps"] not in body


def test_cek_netral_flags_a_partisan_draft_and_passes_a_neutral_one(desk, browser, tmp_path):
    d = browser
    d.get(f"{desk.base}/cek")
    assert "tidak disimpan" in d.page_source
    d.find_element(By.ID, "text").send_keys("Ayo coblos nomor 2! #PrabowoGibran2024 dukung terus")
    click(d, 'button[data-action="check"]')
    verdict = d.find_element(By.ID, "verdict")
    assert verdict.get_attribute("data-verdict") == "melanggar"
    assert verdict.find_elements(By.CSS_SELECTOR, "mark") and "#PrabowoGibran2024" in verdict.text
    shot(d, "cek-netral", tmp_path)
    d.get(f"{desk.base}/cek")
    d.find_element(By.ID, "text").send_keys("Selamat pagi, hari ini rapat koordinasi pelayanan publik di kantor.")
    click(d, 'button[data-action="check"]')
    assert d.find_element(By.ID, "verdict").get_attribute("data-verdict") == "aman"


def test_docs_and_stats_render_from_local_assets(desk, browser, tmp_path):
    d = browser
    d.get(f"{desk.base}/docs")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not d.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"):
        time.sleep(0.2)
    assert d.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"), "Swagger UI did not render offline"
    login(d, desk, "analyst")
    d.get(f"{desk.base}/desk/stats")
    assert d.find_elements(By.CSS_SELECTOR, "svg.chart rect.chart-bar")
    shot(d, "desk-stats", tmp_path)
