"""Refusals on the web pages in the page language, on SQLite and PostgreSQL: a Chinese page shows
the translation of the service's English message (by code, field and details) and still carries
the English message; an English page shows the service's message as before. Every error code has
a translation."""

from __future__ import annotations

import ast
import html
import re
import string
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.calc.notes import note
from esgledger.catalogue import load_catalogue
from esgledger.i18n import LANGUAGES, Strings, load_table
from esgledger.units import suggested_units
from esgledger.web.lineage_tree import lineage_tree
from esgledger.web.messages import Message, localize
from esgledger.web.pages.explain import EngineText
from esgledger.web.render import Names, environment, unit_name
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD, World
from tests.web_clients import csrf, form_token
from tests.web_seed import YEAR

SOURCE = Path(__file__).resolve().parents[1] / "src" / "esgledger"
DETAIL = re.compile(r'<span class="error-detail" lang="en">(.*?)</span>', re.S)
# The codes the web routes give to failures that are not service errors (routing.describe).
WEB_CODES = ("invalid", "invalid_request", "not_found", "method_not_allowed", "http_error")


def chinese(client: TestClient) -> TestClient:
    assert client.get("/lang/zh").status_code == 303
    return client


def text_of(page: str) -> str:
    """The page's text as a person reads it (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row_of(page: str, slug: str) -> str:
    match = re.search(rf'<tr id="row-{slug}".*?</tr>', page, re.S)
    assert match, f"no row {slug}"
    return match.group(0)


def field_error(page: str, slug: str) -> tuple[str, str]:
    """``(translation, English detail)`` of the error shown in a row of the entry form."""
    match = re.search(
        r'<div class="field-error" role="alert">(.*?)</div>', row_of(page, slug), re.S
    )
    assert match, f"no error in row {slug}"
    details = DETAIL.findall(match.group(1))
    assert len(details) == 1, match.group(1)
    shown = DETAIL.sub("", match.group(1))
    return text_of(shown).strip(), html.unescape(details[0])


def notice(page: str, element_id: str) -> tuple[str, str]:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no #{element_id}"
    details = DETAIL.findall(match.group(1))
    assert len(details) == 1, match.group(1)
    return text_of(DETAIL.sub("", match.group(1))).strip(), html.unescape(details[0])


# -- every code has a translation ------------------------------------------------------------------
def service_error_codes() -> set[str]:
    """The ``code`` of every class in service_errors.py, and every ``code="..."`` given to one
    of them where it is raised (anywhere in the package)."""
    tree = ast.parse((SOURCE / "service_errors.py").read_text())
    classes, codes = set(), set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes.add(node.name)
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "code" for t in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                ):
                    codes.add(str(statement.value.value))
    assert {"not_found", "forbidden", "period_locked", "too_many_attempts"} <= codes
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in classes
            ):
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        codes.add(str(keyword.value.value))
    assert {"version_conflict", "explanation_required", "bad_credentials", "csrf_failed"} <= codes
    return codes


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_error_code_has_a_translation_in_both_languages() -> None:
    table = load_table()
    codes = service_error_codes() | set(WEB_CODES) | {"internal_error"}
    missing = sorted(code for code in codes if f"error.code.{code}" not in table)
    assert missing == [], f"add error.code.CODE to i18n.yaml for {missing}"
    for key, texts in table.items():
        if not key.startswith(("error.code.", "error.field.", "error.generic.")):
            continue
        assert texts["en"] and texts["zh"], key
        # the same placeholders in both languages
        assert placeholders(texts["en"]) == placeholders(texts["zh"]), key
        if key.endswith(".detail"):
            assert key.removesuffix(".detail") in table, f"{key} without its plain key"
        elif key.count(".") == 2 and key.startswith("error.code."):
            assert not placeholders(texts["zh"]), f"{key} must not need details"


def test_an_unknown_code_gets_a_generic_headline_and_the_english_message() -> None:
    t = Strings("zh")

    def error(given: dict[str, Any]) -> Message:
        return localize(t, given)

    failed = error({"code": "brand_new", "message": "it broke", "field": None})
    assert (failed.text, failed.detail) == ("操作未完成", "it broke")
    invalid = error({"code": "brand_new", "message": "x: bad", "field": "x", "details": None})
    assert (invalid.text, invalid.detail) == ("输入有误", "x: bad")
    assert error({"code": "invalid", "message": "m", "field": "nowhere"}).text == "输入有误"
    # details that do not fit the .detail variant: the plain translation
    locked = error({"code": "period_locked", "message": "m", "details": None})
    assert locked.text == "报告期已锁定，数据不能修改"
    stale = error(
        {
            "code": "version_conflict",
            "message": "the data point changed",
            "field": "version",
            "details": {"current": {"version": 2, "created_by": "manager"}, "version": 2},
        }
    )
    assert stale.text == "该数据已被修改：当前为第 2 版（manager），请刷新页面后重新修改"
    large = error({"code": "too_large", "message": "m", "details": {"max_bytes": 20 << 20}})
    assert large.text == "文件过大：最多接受 20.0 MiB"
    throttled = error({"code": "too_many_attempts", "message": "m", "details": {"retry_after": 60}})
    assert throttled.text == "登录失败次数过多，请在 60 秒后再试，或联系管理员"
    english = localize(Strings("en"), {"code": "period_locked", "message": "period 2024 is locked"})
    assert (english.text, english.detail) == ("period 2024 is locked", None)


# -- the entry form --------------------------------------------------------------------------------
def test_entry_form_errors_in_chinese_keep_the_english_detail(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = chinese(browse["owner_a"])
    form = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "abc",
        "unit.energy.coke": "t",
        "value.water.withdrawal": "5100",
        "unit.water.withdrawal": "kWh",
        "action": "save",
    }
    page = owner.post(f"/entry/plant_a/{YEAR}", data=form)
    assert page.status_code == 422
    assert "未被接受：2 项（见各项旁的提示）" in page.text
    assert field_error(page.text, "energy-coke") == ("数值“abc”无效", "'abc' is not a number")
    shown, detail = field_error(page.text, "water-withdrawal")
    assert shown == "单位“kWh”无法换算为该指标的单位"
    assert detail.startswith("unit: found 'kWh'; expected a unit convertible to m")

    submit = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",  # last year 10 t: +100 %, no explanation
        "unit.energy.diesel": "t",
        "action": "submit",
    }
    page = owner.post(f"/entry/plant_a/{YEAR}", data=submit)
    assert page.status_code == 422
    shown, detail = field_error(page.text, "energy-diesel")
    assert shown == (
        "已保存为草稿，但未提交： 与上年（10 吨）相比变动 100%，超过 30%：提交前须说明变动原因"
    )
    assert detail == (
        "the value changed by 100% against last year (10 t); explain the change "
        "(more than 30%) before submitting"
    )


def test_entry_form_errors_in_english_are_unchanged(browse: dict[str, TestClient]) -> None:
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "abc",
        "unit.energy.coke": "t",
        "action": "save",
    }
    page = owner.post(f"/entry/plant_a/{YEAR}", data=form)
    assert page.status_code == 422
    assert '<div class="field-error" role="alert">&#39;abc&#39; is not a number</div>' in row_of(
        page.text, "energy-coke"
    )
    assert "error-detail" not in page.text and "无效" not in page.text


def test_a_locked_period_in_chinese(world: World, browse: dict[str, TestClient]) -> None:
    point = world.services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", YEAR, "energy.coke", 4, "t")
    ).id
    manager = chinese(browse["manager"])
    refused = manager.post(f"/periods/{YEAR}/lock", data={"csrf_token": csrf(manager)})
    assert refused.status_code == 409
    assert notice(refused.text, "error-message") == (
        "报告期尚有未批准的数据（草稿 1 项），不能锁定",
        f"period {YEAR} has values that are not approved: 1 draft",
    )
    assert "错误 409" in refused.text

    world.services.datapoints.submit(world.user("owner_a"), point, 1, None)
    world.services.datapoints.approve(world.user("manager"), point, 1, None)
    world.services.periods.lock(world.user("manager"), YEAR, None)
    owner = chinese(browse["owner_a"])
    edit = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "5",
        "unit.energy.coke": "t",
        "version.energy.coke": "1",
        "action": "save",
    }
    page = owner.post(f"/entry/plant_a/{YEAR}", data=edit)
    assert page.status_code == 409
    assert field_error(page.text, "energy-coke") == (
        f"报告期 {YEAR} 已锁定：在 ESG 经理重新开放之前，数据不能修改",
        f"period {YEAR} is locked: its values cannot change until an ESG manager reopens it",
    )


# -- the error page, the review card, the login and users pages ------------------------------------
def test_the_error_page_in_chinese(browse: dict[str, TestClient]) -> None:
    manager = chinese(browse["manager"])
    missing = manager.get("/datapoints/999999")
    assert missing.status_code == 404
    assert notice(missing.text, "error-message") == (
        "未找到：该对象不存在，或不在您的权限范围内",
        "no data point 999999",
    )
    bad_period = manager.get("/dashboard?period=abc")
    assert bad_period.status_code == 422
    assert notice(bad_period.text, "error-message") == (
        "报告期无效：应为 1900 至 2199 年间的年份（如 2024）或月份（如 2024-03）",
        "period 'abc' is not a year (2024) or a month (2024-03)",
    )
    assert "<code>period</code>" in bad_period.text
    english = browse["viewer"].get("/dashboard?period=abc")
    assert (
        '<p class="notice warn" role="alert" id="error-message">period &#39;abc&#39; is not a '
        "year (2024) or a month (2024-03)</p>" in english.text
    )


def test_the_review_card_in_chinese(world: World, browse: dict[str, TestClient]) -> None:
    mine = world.services.datapoints.create(
        world.user("manager"), Entry("plant_a", YEAR, "energy.coke", 3, "t")
    ).id
    world.services.datapoints.submit(world.user("manager"), mine, 1, None)
    htmx = {"HX-Request": "true"}
    manager = chinese(browse["manager"])
    own = manager.post(
        f"/datapoints/{mine}/approve",
        data={"csrf_token": csrf(manager), "version": "1"},
        headers=htmx,
    )
    assert own.status_code == 403
    shown, detail = notice(own.text.replace('role="alert">', 'id="card-error">'), "card-error")
    assert (
        shown
        == "职责分离：自上次审核通过以来，此数据由您填报、导入、修改、提交或说明，须由他人审核"
    )
    assert detail.startswith("segregation of duties: you entered")
    other = chinese(browse["manager2"])
    data = {"csrf_token": csrf(other), "version": "1"}
    assert other.post(f"/datapoints/{mine}/approve", data=data, headers=htmx).status_code == 200
    again = other.post(f"/datapoints/{mine}/approve", data=data, headers=htmx)
    assert again.status_code == 409
    shown, detail = notice(again.text.replace('role="alert">', 'id="card-error">'), "card-error")
    assert shown == "该数据当前为“已批准”状态，不能执行此操作"
    assert detail == "cannot approve a value that is approved; it must be submitted"


def test_sign_in_refused_in_chinese(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as client:
        chinese(client)
        token = form_token(client.get("/login").text)
        answer = client.post(
            "/login", data={"username": "owner_a", "password": "wrong guess!", "csrf_token": token}
        )
        assert answer.status_code == 401
        assert notice(answer.text, "login-error") == (
            "用户名或密码错误",
            "wrong user name or password",
        )
        client.get("/lang/en")
        answer = client.post(
            "/login", data={"username": "owner_a", "password": "wrong guess!", "csrf_token": token}
        )
        assert 'id="login-error">wrong user name or password</p>' in answer.text
        assert (
            client.post(
                "/login", data={"username": "owner_a", "password": PASSWORD, "csrf_token": token}
            ).status_code
            == 303
        )


def test_a_refused_user_change_in_chinese(browse: dict[str, TestClient]) -> None:
    admin = chinese(browse["admin"])
    form = {
        "csrf_token": csrf(admin),
        "username": "manager",
        "role": "viewer",
        "password": "a long enough password",
    }
    refused = admin.post("/users", data=form)
    assert refused.status_code == 409
    shown, detail = notice(refused.text, "form-error")
    assert shown == "未保存。 用户名 ：该用户名已存在"
    assert detail == "user 'manager' already exists"


# -- units ------------------------------------------------------------------------------------------
# Every unit a catalogue metric is kept in or units.suggested_units offers for one: (en, zh).
UNIT_LABELS = {
    "1": ("1", "1"),
    "1/million_hours": ("per million hours worked", "每百万工时"),
    "GJ": ("GJ", "吉焦"),
    "GJ/t": ("GJ/t", "吉焦/吨"),
    "GJ/wan_m3": ("GJ/10⁴ m³", "吉焦/万立方米"),
    "GWh": ("GWh", "吉瓦时"),
    "MJ": ("MJ", "兆焦"),
    "MWh": ("MWh", "兆瓦时"),
    "TJ": ("TJ", "太焦"),
    "case": ("cases", "件"),
    "day": ("days", "天"),
    "h": ("h", "小时"),
    "h/person": ("h/person", "小时/人"),
    "kWh": ("kWh", "千瓦时"),
    "kWh/t": ("kWh/t", "千瓦时/吨"),
    "kg": ("kg", "千克"),
    "kgce": ("kgce", "千克标准煤"),
    "kg/m**3": ("kg/m³", "千克/立方米"),  # a liquid fuel's measured density
    "m**3": ("m³", "立方米"),
    "m**3/wan_RMB": ("m³/RMB 10k", "立方米/万元"),
    "m3": ("m³", "立方米"),
    "percent": ("%", "%"),
    "permille": ("‰", "‰"),
    "person": ("persons", "人"),
    "t": ("t", "吨"),
    "t*km": ("t·km", "吨公里"),
    "t/t": ("t/t", "吨/吨"),
    "t/wan_RMB": ("t/RMB 10k", "吨/万元"),
    "tC/TJ": ("tC/TJ", "吨碳/太焦"),
    "tC/t": ("tC/t", "吨碳/吨"),
    "tCO2/MWh": ("tCO₂/MWh", "吨二氧化碳/兆瓦时"),
    "tCO2e": ("tCO₂e", "吨二氧化碳当量"),
    "tCO2e/t": ("tCO₂e/t", "吨二氧化碳当量/吨"),
    "tCO2e/wan_RMB": ("tCO₂e/RMB 10k", "吨二氧化碳当量/万元"),
    "tce": ("tce", "吨标准煤"),
    "tce/t": ("tce/t", "吨标准煤/吨"),
    "tce/wan_RMB": ("tce/RMB 10k", "吨标准煤/万元"),
    "wan_RMB": ("RMB 10k", "万元"),
    "wan_m3": ("10⁴ m³", "万立方米"),
    "万元": ("RMB 10k", "万元"),
    "万千瓦时": ("10⁴ kWh", "万千瓦时"),
    "万吨": ("10⁴ t", "万吨"),
    "万立方米": ("10⁴ m³", "万立方米"),
    "亿元": ("RMB 100m", "亿元"),
    "亿千瓦时": ("10⁸ kWh", "亿千瓦时"),
    "元": ("RMB", "元"),
}
# pint's own spellings, which a person should never read
PINT_SPELLINGS = re.compile(
    r"\*\*|\*|_|\b(?:wan|yi|meter|metric_ton|tonne|kilo\w+|mega\w+|giga\w+|percent|"
    r"dimensionless)\b"
)


def test_every_unit_of_the_catalogue_and_its_suggestions_has_a_label_in_both_languages() -> None:
    units = set()
    for metric in load_catalogue().metrics.values():
        units |= {metric.unit, *suggested_units(metric.unit)}
    assert sorted(units) == sorted(UNIT_LABELS)  # a new unit needs its labels (report/i18n.yaml)
    for unit in sorted(units):
        en, zh = unit_name(unit, "en"), unit_name(unit, "zh")
        assert (en, zh) == UNIT_LABELS[unit], unit
        for label in (en, zh):
            assert "_" not in label and not PINT_SPELLINGS.search(label), unit
        assert not re.search(r"[A-Za-z]", zh), f"{unit}: {zh} is not translated"
    # ratios of Chinese spellings and spellings with a substance named
    assert unit_name("吨标准煤/万元", "en") == "tce/RMB 10k"
    assert (
        unit_name("kWh/t Al", "zh") == "千瓦时/吨铝"
        and unit_name("t CO2e", "zh") == "吨二氧化碳当量"
    )
    assert unit_name("kgCO2e/(t*km)", "zh") == "千克二氧化碳当量/吨公里"
    assert unit_name("kilowatt_hour", "en") == "kWh"  # unknown to the table: pint's short form


def test_the_entry_form_offers_units_by_their_labels(browse: dict[str, TestClient]) -> None:
    owner = browse["owner_a"]
    page = owner.get(f"/entry/plant_a/{YEAR}").text
    electricity = row_of(page, "energy-electricity_purchased")
    assert '<option value="亿千瓦时">10⁸ kWh</option>' in electricity
    assert '<option value="GWh">GWh</option>' in electricity
    chinese(owner)
    electricity = row_of(owner.get(f"/entry/plant_a/{YEAR}").text, "energy-electricity_purchased")
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', electricity)
    assert options == [  # the value sent is the spelling; the label is in the page language
        ("MWh", "兆瓦时"),
        ("kWh", "千瓦时"),
        ("万千瓦时", "万千瓦时"),
        ("GWh", "吉瓦时"),
        ("亿千瓦时", "亿千瓦时"),
        ("GJ", "吉焦"),
        ("MJ", "兆焦"),
        ("TJ", "太焦"),
    ]


# -- the explain page --------------------------------------------------------------------------------
def render_explain(world: World, lang: str, records: list[dict[str, Any]]) -> str:
    """The explain page of each of ``records`` (each as the root of its tree), rendered in
    ``lang`` without a request."""
    names = Names(lang, world.ws.catalogue, {e.id: e for e in world.ws.entities()})
    by_key = {r["key"]: r for r in records}
    return "".join(
        environment()
        .get_template("explain.html.j2")
        .render(
            t=Strings(lang),
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            viewer=None,
            csrf_token="",
            nav=[],
            names=names,
            here="/",
            json_url="/x.json",
            fragment=False,
            root=record["key"],
            records=records,
            reported=None,
            difference=None,
            tree=lineage_tree(record["key"], by_key),
            anchors={r["key"]: f"r-{i}" for i, r in enumerate(records)},
            engine=EngineText(lang, names),
        )
        for record in records
    )


def test_percent_units_are_shown_as_percent(world: World) -> None:
    for lang in LANGUAGES:
        assert unit_name("percent", lang) == unit_name("%", lang) == "%"
    record = {
        "key": "k",
        "metric": "ghg.scope1",
        "entity": "grp",
        "period": YEAR,
        "value": 1.5,
        "unit": "tCO2e",
        "kind": "formula",
        "factors": [{"factor": "anode.ash", "value": 0.4, "unit": "percent", "valid_from": ""}],
    }
    page = render_explain(world, "zh", [record])
    assert '<td class="num">0.4 %</td>' in page and "percent" not in page


ROLLUP_RECORD = {
    "key": "ghg.scope1@grp@2024",
    "metric": "ghg.scope1",
    "entity": "grp",
    "period": YEAR,
    "value": 12.0,
    "unit": "tCO2e",
    "kind": "rollup",
    "formula": "own activity + sum of consolidated children x inclusion factor"
    " - internal supplies eliminated",
    "children": [
        {
            "key": "a",
            "entity": "plant_a",
            "value": 10.0,
            "factor": 1.0,
            "reason": note("operational_control"),
        },
        {
            "key": "b",
            "entity": "plant_b",
            "value": 4.0,
            "factor": 0.5,
            "reason": note("equity_share", share=0.5),
        },
    ],
    "excluded": [
        {"entity": "line_a1", "reason": note("no_operational_control")},
        {"entity": "plant_b", "reason": "a reason the engine has not written before"},
    ],
    "consolidation": "operational",
    "notes": [],
}
FORMULA_RECORD = {
    "key": "ghg.scope1_stationary@plant_a@2024",
    "metric": "ghg.scope1_stationary",
    "entity": "plant_a",
    "period": YEAR,
    "value": 10.0,
    "unit": "tCO2e",
    "kind": "formula",
    "formula": "combustion_co2e",
    "expression": "sum over fuels of quantity x NCV x carbon content x oxidation x 44/12, "
    "per gas x GWP",
    "factors": [
        {
            "factor": "site.raw_coal.ncv",
            "value": 19.5,
            "unit": "GJ/t",
            "valid_from": "",
            "source": note("measured_by", record="site.raw_coal.ncv@plant_a@2024"),
        },
    ],
    "notes": [
        note("method", citation="NDRC 2015 Chinese MRV guidelines, E = AD x NCV x CC x OF x 44/12"),
        note("unverified_factor", factor="ipcc2006.ncv.natural_gas", confidence="M"),
        note("electricity_tce", method="calorific"),
        note("grid_series", series="national", factor="cn_grid_mee.national_average"),
        note("monthly_mismatch", count=12, sum=1.2e6, value=1e6, unit="MWh"),
        note("counted_product", metric="production.primary_aluminium"),
        "a note the engine has not written before",
    ],
}
INPUT_RECORDS = [
    {
        "key": f"i{n}",
        "metric": "energy.diesel",
        "entity": "plant_a",
        "period": YEAR,
        "value": 1.0,
        "unit": "t",
        "kind": "input",
        "formula": how["code"],
        "how": how,
        "notes": [],
    }
    for n, how in enumerate(
        [
            note("reported"),
            note("monthly_sum", count=12),
            note("monthly_weighted", count=3, metric="production.primary_aluminium"),
            note("certificates", count=3),
        ]
    )
]


def test_the_explain_page_in_chinese_translates_the_engine_texts(world: World) -> None:
    page = text_of(render_explain(world, "zh", [ROLLUP_RECORD, FORMULA_RECORD, *INPUT_RECORDS]))
    for shown in [
        "公式 自身活动 + Σ 各合并下属主体 × 计入系数 − 抵销的内部供应",
        "合并方法 运营控制权法（温室气体核算体系）",
        "范围一温室气体排放 · 甲厂 10 × 1.0 · 运营控制权",  # a child's record not at hand
        "范围一温室气体排放 · 乙厂 4 × 0.5 · 股权比例 0.5",
        "甲一线（无运营控制权）",
        "乙厂（a reason the engine has not written before）",  # not known: as written
        "公式 combustion_co2e — Σ 燃料消耗量 × 低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12"
        " × GWP(CO₂)",
        "19.5 吉焦/吨 主体实测（site.raw_coal.ncv@plant_a@2024）",
        "方法：NDRC 2015 Chinese MRV guidelines, E = AD x NCV x CC x OF x 44/12",
        "因子 ipcc2006.ncv.natural_gas 的可信度标记为 M（未经核实）：使用前请核实",
        "电力折标准煤采用当量值（GB/T 2589-2020）",
        "电网排放因子系列：全国平均（cn_grid_mee.national_average）",
        "12 个月度数值合计 1,200,000 兆瓦时，与年度值 1,000,000 兆瓦时 不符；采用年度值",
        "因该主体报送“原铝（电解铝液）产量”而计入",
        "a note the engine has not written before",
        "公式 主体报送",
        "公式 12 个月度数值之和",
        "公式 3 个月度数值按每月原铝（电解铝液）产量加权平均",
        "公式 3 项绿证申领",
    ]:
        assert shown in page, shown
    for english in ("own activity", "operational control", "method:", "sum of", "tagged"):
        assert english not in page, english


def test_the_explain_page_in_english_shows_the_engine_texts_as_written(world: World) -> None:
    page = text_of(render_explain(world, "en", [ROLLUP_RECORD, FORMULA_RECORD, *INPUT_RECORDS]))
    for shown in [
        "Formula own activity + sum of consolidated children x inclusion factor - internal "
        "supplies eliminated",
        "Consolidation operational",
        "Scope 1 GHG emissions · Plant A 10 × 1.0 · operational control",
        "Line A1: no operational control",
        "Plant B: a reason the engine has not written before",
        "Formula combustion_co2e — sum over fuels of quantity x NCV x carbon content x "
        "oxidation x 44/12, per gas x GWP",
        "method: NDRC 2015 Chinese MRV guidelines, E = AD x NCV x CC x OF x 44/12",
        "Formula sum of 12 monthly values",
    ]:
        assert shown in page, shown


# Lineage stored before notes had codes: the engine's English text, kept in the stored runs.
OLD_RECORDS = [
    {
        **ROLLUP_RECORD,
        "key": "old-rollup",
        "children": [{**ROLLUP_RECORD["children"][1], "reason": "equity share 0.5"}],
        "excluded": [{"entity": "line_a1", "reason": "no operational control"}],
    },
    {
        **FORMULA_RECORD,
        "key": "old-formula",
        "factors": [
            {
                **FORMULA_RECORD["factors"][0],
                "source": "measured by the entity (site.raw_coal.ncv@plant_a@2024)",
            }
        ],
        "notes": ["grid factor series: national (cn_grid_mee.national_average)"],
    },
    {**INPUT_RECORDS[1], "key": "old-input", "formula": "sum of 12 monthly values"},
]
del OLD_RECORDS[2]["how"]


def test_the_explain_page_shows_lineage_stored_before_note_codes_as_written(
    world: World,
) -> None:
    for lang in LANGUAGES:
        page = text_of(render_explain(world, lang, OLD_RECORDS))
        for shown in [
            "4 × 0.5 · equity share 0.5",
            "no operational control",
            "measured by the entity (site.raw_coal.ncv@plant_a@2024)",
            "grid factor series: national (cn_grid_mee.national_average)",
            "sum of 12 monthly values",
        ]:
            assert shown in page, (lang, shown)


def test_the_explain_page_of_a_calculation_in_chinese(browse: dict[str, TestClient]) -> None:
    manager = chinese(browse["manager"])
    page = manager.get("/explain/ghg.scope2_location/grp/2023")
    assert page.status_code == 200
    shown = text_of(page.text)
    for text in [
        "公式 自身活动 + Σ 各合并下属主体 × 计入系数",
        "合并方法 运营控制权法（温室气体核算体系）",
        "范围二温室气体排放（基于位置） · 甲厂 · 2023 530.6 吨二氧化碳当量 合并值 × 1.0 · 运营控制权"
        " 内含 3 条记录",  # entities and metrics by their names, the branch folded
        "公式 sum — 各输入项之和",
        "公式 grid_electricity_co2e — 外购电量 × 所在电网排放因子 × GWP(CO₂)",
        "0.5306 吨二氧化碳/兆瓦时",
        "电网排放因子系列：全国平均（cn_grid_mee.national_average）",
        "1,000 兆瓦时 填报值 公式 主体报送",
    ]:
        assert text in shown, text
    assert "own activity" not in shown and "grid factor series" not in shown
    twin = manager.get("/explain/ghg.scope2_location/grp/2023.json").json()
    assert twin["records"][0]["formula"].startswith("own activity")  # the data, as recorded
