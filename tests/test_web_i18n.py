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

from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.web.i18n import LANGUAGES, Strings, load_table
from esgledger.web.render import Names, environment, unit_name
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD, World
from tests.web_clients import form_token
from tests.web_seed import YEAR

SOURCE = Path(__file__).resolve().parents[1] / "src" / "esgledger"
DETAIL = re.compile(r'<span class="error-detail" lang="en">(.*?)</span>', re.S)
# The codes the web routes give to failures that are not service errors (routing.describe).
WEB_CODES = ("invalid", "invalid_request", "not_found", "method_not_allowed", "http_error")


def chinese(client: TestClient) -> TestClient:
    assert client.get("/lang/zh").status_code == 303
    return client


def csrf(client: TestClient, path: str = "/dashboard") -> str:
    return form_token(client.get(path).text)


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
    failed = t.error({"code": "brand_new", "message": "it broke", "field": None})
    assert (failed.text, failed.detail) == ("操作未完成", "it broke")
    invalid = t.error({"code": "brand_new", "message": "x: bad", "field": "x", "details": None})
    assert (invalid.text, invalid.detail) == ("输入有误", "x: bad")
    assert t.error({"code": "invalid", "message": "m", "field": "nowhere"}).text == "输入有误"
    # details that do not fit the .detail variant: the plain translation
    locked = t.error({"code": "period_locked", "message": "m", "details": None})
    assert locked.text == "报告期已锁定，数据不能修改"
    stale = t.error(
        {
            "code": "version_conflict",
            "message": "the data point changed",
            "field": "version",
            "details": {"current": {"version": 2, "created_by": "manager"}, "version": 2},
        }
    )
    assert stale.text == "该数据已被修改：当前为第 2 版（manager），请刷新页面后重新修改"
    large = t.error({"code": "too_large", "message": "m", "details": {"max_bytes": 20 << 20}})
    assert large.text == "文件过大：最多接受 20.0 MiB"
    throttled = t.error(
        {"code": "too_many_attempts", "message": "m", "details": {"retry_after": 60}}
    )
    assert throttled.text == "登录失败次数过多，请在 60 秒后再试，或联系管理员"
    english = Strings("en").error({"code": "period_locked", "message": "period 2024 is locked"})
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
    point = world.collab.create_datapoint(
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

    world.collab.submit(world.user("owner_a"), point, 1, None)
    world.collab.approve(world.user("manager"), point, 1, None)
    world.collab.lock_period(world.user("manager"), YEAR, None)
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
    mine = world.collab.create_datapoint(
        world.user("manager"), Entry("plant_a", YEAR, "energy.coke", 3, "t")
    ).id
    world.collab.submit(world.user("manager"), mine, 1, None)
    htmx = {"HX-Request": "true"}
    manager = chinese(browse["manager"])
    own = manager.post(
        f"/datapoints/{mine}/approve",
        data={"csrf_token": csrf(manager), "version": "1"},
        headers=htmx,
    )
    assert own.status_code == 403
    shown, detail = notice(own.text.replace('role="alert">', 'id="card-error">'), "card-error")
    assert shown == "职责分离：此数据由您填报、最后修改、提交或说明，须由他人审核"
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


# -- units on the explain page ---------------------------------------------------------------------
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
    page = (
        environment()
        .get_template("explain.html.j2")
        .render(
            t=Strings("zh"),
            lang="zh",
            html_lang="zh-CN",
            viewer=None,
            csrf_token="",
            nav=[],
            names=Names("zh", world.collab.ws.catalogue, {}),
            here="/",
            json_url="/x.json",
            fragment=False,
            root="k",
            records=[record],
            anchors={"k": "r-k"},
        )
    )
    assert '<td class="num">0.4 %</td>' in page and "percent" not in page
