"""What a new user tripped over (issue 8, part 6), on SQLite and PostgreSQL: "waiting for me" shows
each item's period and groups an indicator's months; the review queue filters by entity and
selects a whole page; the explain page names entities and indicators and folds its tree; the entry
form asks for explanations of open values only and shows month-by-month values."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World
from tests.test_web_i18n import chinese, row_of, text_of
from tests.web_seed import LAST_YEAR, YEAR


def monthly(
    world: World,
    username: str,
    entity: str,
    metric: str,
    months: int,
    unit: str = "t",
    submit: bool = False,
    year: str = YEAR,
) -> list[int]:
    """Values of ``metric`` for the first ``months`` months of ``year``; their ids."""
    user = world.user(username)
    ids = []
    for month in range(1, months + 1):
        point = world.services.datapoints.create(
            user, Entry(entity, f"{year}-{month:02d}", metric, 10 + month, unit)
        )
        if submit:
            world.services.datapoints.submit(user, point.id, point.version, None)
        ids.append(point.id)
    return ids


def waiting_rows(page: str) -> list[str]:
    table = re.search(r'<table class="data waiting">.*?</table>\s*</section>', page, re.S)
    assert table, "no table of waiting items"
    body = table.group(0).split("<tbody>", 1)[1]
    return re.findall(
        r'<tr class="waiting-(?:item|group)">.*?</tr>\s*(?=<tr class="waiting|</tbody>)', body, re.S
    )


# -- waiting for me --------------------------------------------------------------------------------
def test_waiting_items_show_their_period_and_an_indicators_months_together(
    world: World, browse: dict[str, TestClient]
) -> None:
    drafts = monthly(world, "owner_a", "plant_a", "energy.diesel", 12)
    world.services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", YEAR, "water.withdrawal", 5100, "m3")
    )
    owner = browse["owner_a"]
    rows = waiting_rows(owner.get(f"/dashboard?period={YEAR}").text)
    assert len(rows) == 2  # not thirteen rows
    months, water = rows
    assert "Diesel" in months and "12 months, 2024-01 to 2024-12" in text_of(months)
    for month in range(1, 13):
        assert f'href="/entry/plant_a/{YEAR}-{month:02d}"' in months  # each month's own form
    assert f'<td class="date">{YEAR}-07</td>' in months
    assert "Water withdrawal" in water and f'<td class="date">{YEAR}</td>' in water
    data = owner.get(f"/dashboard.json?period={YEAR}").json()["waiting"]
    assert [w["id"] for w in data if w["metric"] == "energy.diesel"] == drafts  # JSON unchanged
    assert "12 个月（2024-01 至 2024-12）" in chinese(owner).get(f"/dashboard?period={YEAR}").text


def test_review_items_of_a_month_link_to_their_entitys_queue_of_the_year(
    world: World, browse: dict[str, TestClient]
) -> None:
    ids = monthly(world, "owner_b", "plant_b", "energy.coke", 3, submit=True)
    (row,) = waiting_rows(browse["manager"].get(f"/dashboard?period={YEAR}").text)
    assert "3 months, 2024-01 to 2024-03" in text_of(row)
    assert f'href="/review?period={YEAR}&amp;entity=plant_b#dp-{ids[1]}"' in row


# -- the review queue: entity filter, select all -----------------------------------------------------
def test_the_review_queue_filters_by_entity_and_selects_a_page(
    world: World, browse: dict[str, TestClient]
) -> None:
    monthly(world, "owner_a", "plant_a", "energy.diesel", 2, submit=True)
    monthly(world, "owner_b", "plant_b", "energy.diesel", 3, submit=True)
    manager = browse["manager"]
    page = manager.get(f"/review?period={YEAR}").text
    choice = re.search(r'<select name="entity">(.*?)</select>', page, re.S)
    assert choice
    assert re.findall(r'<option value="([^"]*)"', choice.group(1)) == [
        "",
        "grp",
        "line_a1",
        "plant_a",
        "plant_b",
    ]  # by name: Group, Line A1, Plant A, Plant B
    assert '<option value="" selected>All entities</option>' in choice.group(1)
    filtered = manager.get(f"/review?period={YEAR}&entity=plant_b").text
    assert filtered.count('<article class="card"') == 3
    assert '<option value="plant_b" selected>Plant B</option>' in filtered
    assert '<h1>Review queue <span class="muted">2024 · Plant B</span></h1>' in filtered
    # the select-all box: shown by the page's script, which the security policy allows
    assert '<label class="select-all" hidden><input type="checkbox" id="select-all">' in page
    assert '<script src="/static/review.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    script = manager.get("/static/review.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "select-all" in script.text
    policy = manager.get(f"/review?period={YEAR}").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    scoped = browse["owner_a"].get(f"/review?period={YEAR}&entity=plant_b")
    assert scoped.status_code == 404  # outside the scope, as before


# -- the explain page: names, a folded tree --------------------------------------------------------
def test_the_explain_page_names_what_it_shows_and_folds_the_tree(
    browse: dict[str, TestClient],
) -> None:
    page = browse["manager"].get(f"/explain/ghg.scope2_location/grp/{LAST_YEAR}").text
    shown = text_of(page)
    assert "@" not in shown  # no lineage key where a name belongs
    assert "Scope 2 GHG emissions (location-based) · Group · 2023" in shown
    assert "Purchased electricity · Plant A · 2023" in shown
    folds = re.findall(r'<details class="record" id="[^"]+"( open)?>', page)
    assert len(folds) == 4  # every record below the root, each once
    assert folds[0] == " open" and folds[1:] == ["", "", ""]  # the root's one branch is open
    for count in (3, 2, 1):  # the plant's roll-up, its own part, the formula below it
        assert f"records inside: {count}" in shown
    first = page.index('<details class="record"')
    assert page.index("530.6") < first  # the answer comes before any fold


# -- the entry form --------------------------------------------------------------------------------
def test_the_entry_form_asks_to_explain_open_values_only(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner, manager = world.user("owner_a"), world.user("manager")
    services = world.services
    services.datapoints.create(owner, Entry("plant_a", YEAR, "energy.diesel", 20, "t"))
    water = services.datapoints.create(
        owner, Entry("plant_a", YEAR, "water.withdrawal", 6000, "m3")
    )
    services.datapoints.submit(owner, water.id, water.version, None)  # +20 %: no explanation due
    services.settings.set(manager, "review.change_threshold", 0.1)  # now it would be
    page = browse["owner_a"].get(f"/entry/plant_a/{YEAR}").text
    draft = row_of(page, "energy-diesel")  # +100 %, a draft: explain before submitting
    assert '<textarea name="explanation.energy.diesel"' in draft and " required" in draft
    submitted = row_of(page, "water-withdrawal")  # +20 %, under review: nothing to explain
    assert "+20%" in submitted and '<textarea name="explanation.' not in submitted
    assert "explanation is required" not in submitted
    services.datapoints.reject(manager, water.id, water.version, "check the meter")
    rejected = row_of(browse["owner_a"].get(f"/entry/plant_a/{YEAR}").text, "water-withdrawal")
    assert '<textarea name="explanation.water.withdrawal"' in rejected  # open again: explain


def test_the_entry_form_of_a_year_shows_the_months(
    world: World, browse: dict[str, TestClient]
) -> None:
    monthly(world, "owner_b", "plant_b", "energy.diesel", 12, year=LAST_YEAR)
    monthly(world, "owner_b", "plant_b", "energy.diesel", 4)
    monthly(world, "owner_b", "plant_b", "energy.coke", 1, year=LAST_YEAR)
    monthly(world, "owner_b", "plant_b", "energy.coke", 1)
    page = browse["owner_b"].get(f"/entry/plant_b/{YEAR}").text
    coke = text_of(row_of(page, "energy-coke"))
    assert "11 t value of 1 month" in coke and "1 month entered" in coke
    row = text_of(row_of(page, "energy-diesel"))
    assert "198 t total of 12 months" in row  # 11 + 12 + ... + 22
    assert "4 months entered" in row
    assert "enter or correct the months, not a yearly value" in row
    diesel_input = re.search(r'<input[^>]*name="value\.energy\.diesel"[^>]*>', page)
    assert diesel_input is not None and re.search(
        r"\sdisabled\b", diesel_input.group(0)
    )  # no yearly value
    gas_input = re.search(r'<input[^>]*name="value\.energy\.natural_gas"[^>]*>', page)
    assert gas_input is not None and not re.search(r"\sdisabled\b", gas_input.group(0))
    zh = text_of(
        row_of(chinese(browse["owner_b"]).get(f"/entry/plant_b/{YEAR}").text, "energy-diesel")
    )
    assert "12 个月合计" in zh and "已按月填报 4 个月" in zh
