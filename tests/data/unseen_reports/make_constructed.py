# ruff: noqa: B905, E501  (a data layout script: rows written as the tables print them)
"""Writes constructed_errors.csv and constructed_consistent.csv: the KPI tables of a constructed
HKEX report of an aluminium group (2022-2024), once with the errors of issue 12's "Why" paragraph
embedded and once as their consistent twin. The twin's figures are worked out by hand in README.md
(GB/T 2589-2020 coefficients, grid factor 0.5703 tCO2/MWh); this script only lays the rows out.
Run: python tests/data/unseen_reports/make_constructed.py"""

import csv
from pathlib import Path

HERE = Path(__file__).parent
COLUMNS = ["table", "row_label", "entity", "metric", "period", "value", "unit", "footnote",
           "dimensions", "status"]  # fmt: skip
ENERGY = "Energy consumption 能源消耗 (KPI A2.1)"
GHG = "Greenhouse gas emissions 温室气体排放 (KPI A1.2)"
WASTE = "Waste 废弃物 (KPIs A1.3, A1.4)"
BY_CO = "Energy intensity per tonne of alumina by company"
BY_CO_ZH = "按公司划分的吨氧化铝综合能耗"
SAFETY = "Occupational health and safety 职业健康与安全 (KPIs B2.1-B2.2)"
STAFF = "Employees by gender"
TRAIN = "Development and training 发展与培训 (KPIs B3.1, B3.2)"
TRAIN_G = "Training hours by gender"
SUPPLY = "Suppliers by region"
PLAN = "2024 environmental targets 2024年环境目标"
TVA = "Targets and performance in 2024 2024年目标完成情况"


def rows(errors: bool) -> list[list[str]]:
    def e(wrong: str, right: str) -> str:
        return wrong if errors else right

    out: list[list[str]] = []

    def add(table, label, period, value, unit, entity="", dims="", status="", footnote=""):
        out.append([table, label, entity, "", period, value, unit, footnote, dims, status])

    years = ("2022", "2023", "2024")
    for year, coal, gas, power, diesel in zip(
        years, ("8,000,000", "8,200,000", "8,100,000"), ("60,000", "62,000", "61,000"),
        ("2,900,000", "3,000,000", "3,000,000"), ("20,000", "21,000", "19,500"),
    ):  # fmt: skip
        add(ENERGY, "Raw coal 原煤", year, coal, "tonnes")
        add(ENERGY, "Natural gas 天然气", year, gas, "万立方米")
        add(ENERGY, "Purchased electricity 外购电力", year, power, "MWh")
        add(ENERGY, "Diesel 柴油", year, diesel, "tonnes")
    # calorific method: 2022 6,828,532; 2023 7,009,425; 2024 6,923,666 tce
    add(ENERGY, "Comprehensive energy consumption 综合能耗", "2022", e("6,652,318", "6,828,532"),
        "tonnes of standard coal")  # fmt: skip
    add(ENERGY, "Comprehensive energy consumption 综合能耗", "2023", e("6,891,047", "7,009,425"),
        "tonnes of standard coal")  # fmt: skip
    add(ENERGY, "Comprehensive energy consumption 综合能耗", "2024", "6,923,666",
        "tonnes of standard coal")  # fmt: skip
    add(ENERGY, "Operating revenue 营业收入", "2024", "23,706,600", "RMB10,000")
    add(ENERGY, "Energy consumption per RMB10,000 of revenue 万元营业收入综合能耗", "2024",
        "0.292", "tonnes of standard coal/RMB10,000")  # fmt: skip
    scope1 = ("15,800,000", "16,100,000", "16,150,000")
    scope2 = ("1,653,870", "1,710,900", e("9,600,384", "1,710,900"))
    total = ("17,453,870", "17,810,900", e("25,750,384", "17,860,900"))
    for year, s1, s2, tot in zip(years, scope1, scope2, total):
        add(GHG, "Scope 1 greenhouse gas emissions 范围一温室气体排放量", year, s1, "tCO2e")
        add(GHG, "Scope 2 greenhouse gas emissions 范围二温室气体排放量", year, s2, "tCO2e")
        add(GHG, "Total greenhouse gas emissions (Scope 1 and Scope 2)", year, tot, "tCO2e")
    hazardous = ("85,000", "90,000", "92,000")
    general = ("5,200,000", "5,400,000", "5,500,000")
    total_waste = (e("5,345,000", "5,285,000"), e("5,432,300", "5,490,000"),
                   e("5,650,000", "5,592,000"))  # fmt: skip
    recycled = ("60,000", "64,000", e("95,500", "70,500"))
    for year, haz, gen, tot, rec in zip(years, hazardous, general, total_waste, recycled):
        add(WASTE, "Hazardous waste 危险废物产生量", year, haz, "tonnes")
        add(WASTE, "General solid waste 一般固体废物产生量", year, gen, "tonnes")
        add(WASTE, "Total solid waste 固体废弃物总量", year, tot, "tonnes")
        add(WASTE, "Hazardous waste recycled 危险废物综合利用量", year, rec, "tonnes")
    add(WASTE, "Red mud generated 赤泥产生量", "2024", "4,300,000", "tonnes")
    add(BY_CO, "Shanxi Huaxing Alumina Co., Ltd.", "2024", "0.412", "tce/t")
    add(BY_CO, "Guangxi Huayin Aluminium Co., Ltd.", "2024", "0.398", "tce/t")
    add(BY_CO, "Chongqing Alumina Co., Ltd.", "2024", "0.430", "tce/t")
    if errors:
        add(BY_CO, "Shanxi Huaxing Alumina", "2024", "0.405", "tce/t")
    add(BY_CO_ZH, "山西华兴铝业有限公司", "2023", "0.420", "吨标准煤/吨")
    add(BY_CO_ZH, "广西华银铝业有限公司", "2023", "0.401", "吨标准煤/吨")
    if errors:
        add(BY_CO_ZH, "山西华兴铝业", "2023", "0.418", "吨标准煤/吨")
    for year, hours, lti, rate, dead, days in zip(
        years, ("92,000,000", "94,000,000", "95,000,000"), ("41", "40", "38"),
        ("0.45", "0.43", e("0.52", "0.40")), ("2", "1", "1"), ("3,100", "2,950", "2,800"),
    ):  # fmt: skip
        add(SAFETY, "Hours worked 工作总工时", year, hours, "hours")
        add(SAFETY, "Lost-time injuries 损工事件数", year, lti, "cases")
        add(
            SAFETY,
            "LTIFR (per million hours worked) 百万工时损工事件率",
            year,
            rate,
            "per million hours",
        )
        add(SAFETY, "Work-related fatalities 因工死亡人数", year, dead, "persons")
        add(SAFETY, "Lost days due to work injury 因工伤损失工作日数", year, days, "days")
    add(STAFF, "Male 男性", "2024", "52,000", "persons")
    add(STAFF, "Female 女性", "2024", "12,500", "persons")
    add(STAFF, "Total 合计", "2024", "64,500", "persons")
    add(TRAIN, "Total training hours 培训总时数", "2024", "1,100,000", "hours")
    add(TRAIN, "Average training hours per employee 人均培训时数", "2024", "17.1", "hours")
    add(TRAIN, "Safety training hours 安全培训时数", "2024", e("1,250,000", "420,000"), "hours")
    add(TRAIN, "Employees who left 离职员工人数", "2024", "2,450", "persons")
    add(TRAIN, "Employee turnover rate 员工流失率", "2024", "3.8%", "%")
    add(TRAIN_G, "Male", "2024", "880,000", "hours")
    add(TRAIN_G, "Female", "2024", "220,000", "hours")
    add(SUPPLY, "Mainland China", "2024", "3,120", "suppliers")
    add(SUPPLY, "Outside mainland China", "2024", "85", "suppliers")
    add(SUPPLY, "Total", "2024", "3,205", "suppliers")
    add(PLAN, "Comprehensive energy consumption 综合能耗", "2024", "7,000,000",
        "tonnes of standard coal", dims="figure=target")  # fmt: skip
    add(PLAN, "Total greenhouse gas emissions (Scope 1 and Scope 2)", "2024",
        e("17,500,000", "18,000,000"), "tCO2e", dims="figure=target")  # fmt: skip
    add(TVA, "Comprehensive energy consumption 综合能耗", "2024", e("6,950,000", "7,000,000"),
        "tonnes of standard coal", dims="figure=target", status="achieved 已完成")  # fmt: skip
    add(TVA, "Total greenhouse gas emissions (Scope 1 and Scope 2)", "2024",
        e("17,500,000", "18,000,000"), "tCO2e", dims="figure=target", status="achieved 已完成")  # fmt: skip
    return out


for name, errors in (("constructed_errors.csv", True), ("constructed_consistent.csv", False)):
    with open(HERE / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows(errors))
