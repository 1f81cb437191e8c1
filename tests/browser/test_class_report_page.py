"""In a real browser: the class report of the fix catalogue's class (tests/conftest.py's
``fix_class``) draws its pictures and tables, sorts a table when a title is clicked, reads on a
phone, and runs none of a student's HTML. Screenshots land in artifacts/screenshots/; the one
in docs/class-report.png (the README's and the instructor guide's) is a copy of the desktop one."""
import pytest

from test_jupyterlab import SHOTS, browser  # noqa: F401 - the module's Chromium fixture

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(fix_class):
    assert fix_class.run.returncode == 0, fix_class.run.stdout[-3000:] + fix_class.run.stderr[-3000:]
    return fix_class.report


def _open(browser, report, width, height):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    return page, dialogs


def test_the_report_draws_its_pictures_and_tables_and_sorts(browser, report):  # noqa: F811
    page, dialogs = _open(browser, report, 1280, 900)
    pictures = page.locator("svg[role=img]")
    assert pictures.count() >= 12, "a score histogram and a pass-share chart per assignment"
    for i in range(pictures.count()):
        box = pictures.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, f"picture {i} is not drawn: {box}"
        assert pictures.nth(i).get_attribute("aria-label"), "every picture says in words what it shows"
    assert page.locator("ol.lecture li").count() == 3
    table = page.locator("table.sortable").first
    score = table.locator("th", has_text="score")
    score.click()
    score.click()         # descending: the best score first
    first = float(table.locator("tbody tr").first.locator("td").nth(3).inner_text())
    values = [float(t) for t in table.locator("tbody tr td:nth-child(4)").all_inner_texts() if t.strip()]
    assert first == max(values)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "class-report.png"), full_page=False)
    assert not dialogs


def test_a_students_html_stays_text(browser, report, fix_class):  # noqa: F811
    page, dialogs = _open(browser, report, 1280, 900)
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.body.dataset.pwned") is None
    assert not dialogs
    text = page.locator("body").inner_text()
    assert "document.body.dataset.pwned='script'" in text, "the student's error is shown, as text"
    assert page.locator("script").count() == 1


def test_the_report_reads_on_a_phone(browser, report):  # noqa: F811
    page, _ = _open(browser, report, 390, 844)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a phone: wide tables must scroll in their own box"
    page.screenshot(path=str(SHOTS / "class-report-phone.png"), full_page=False)
