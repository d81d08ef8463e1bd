"""The demo group's targets (issue 10, part 1), set from the 2022 base year after the three years
are calculated, so that ``esgledger demo`` shows them with their status on the targets page, the
dashboard and ``esgledger assess targets list``.

Where the magnitudes come from (the base values are the demo ledger's own 2022 figures):

- electricity per tonne of primary aluminium 13,350 kWh/t by 2025: the benchmark level (基准水平)
  of electrolytic aluminium in NDRC's "Energy-efficiency benchmark and baseline levels in key
  areas of energy-intensive industries (2021 edition)" (发改产业〔2021〕1609号), which smelters
  below it must reach by 2025 (the advanced level, 标杆水平, is 13,000 kWh/t);
- GHG intensity per tonne of primary aluminium -20 % by 2030, -8 % by 2025: in the range of the
  intensity targets listed Chinese aluminium groups publish against the MIIT/NDRC/MEE
  "Implementation plan for carbon peaking in the non-ferrous metals industry" (2022: carbon peak
  of the industry before 2030, 30 % renewable power in electrolysis by 2030) (assumption);
- Scope 1+2 peaking by 2025 and -90 % gross by 2060, with a net-zero counterpart counting forestry
  credits: the shape of the 2060 carbon-neutrality targets of listed aluminium groups, after
  China's "30·60" goals (State Council, Action plan for carbon dioxide peaking before 2030,
  2021) (assumption for the milestones and the credits);
- energy per revenue -13.5 % and water per revenue -16 %: the national 14th Five-Year Plan
  reductions of energy and water use per unit of GDP (2020-2025), which groups carry into their
  own targets; the water target over 2022-2027 (assumption);
- red mud put to use 300,000 t a year by 2027 (a quarter of the refinery's red mud): MIIT's
  guidance on the comprehensive use of red mud (工信部《关于促进赤泥综合利用的指导意见》) asks the
  industry to raise the utilisation rate steadily; the figure is an assumption;
- recycled aluminium 260,000 t by 2027 (+30 % on 2022): the non-ferrous carbon-peaking plan aims at
  11.5 Mt of recycled aluminium in China by 2025; the group's share is an assumption;
- lost-time injury frequency rate 0.5 per million hours by 2026 and zero fatalities by 2025:
  typical of published safety targets of large metals groups (ICMM members report LTIFRs of
  about 0.2-1.0) (assumption).
"""

from __future__ import annotations

from typing import Any

from esgledger.services import Principal, Services

GROUP, SMELTER = "jl", "jl-xj-smelter"
GHG = {"gases": ["CO2", "CH4", "N2O", "PFCs"], "scopes": ["1", "2"]}
TARGETS: list[dict[str, Any]] = [
    {
        "target_id": "JL-GHG-AL-2030",
        "name": "GHG intensity of primary aluminium -20 % by 2030",
        "name_zh": "2030年吨原铝温室气体排放强度较2022年下降20%",
        "kind": "intensity",
        "metric_key": "ghg.intensity_primary_aluminium",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2030,
        "target_change": -0.2,
        "milestones": [{"year": 2025, "change": -0.08}],
        **GHG,
    },
    {
        "target_id": "JL-GHG-2060-GROSS",
        "name": "Scope 1+2 peak by 2025, -90 % gross by 2060",
        "name_zh": "范围一和范围二排放2025年达峰，2060年总量较2022年下降90%",
        "kind": "absolute",
        "metric_key": "ghg.scope12_location",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2060,
        "target_change": -0.9,
        "milestones": [
            {"year": 2025, "change": 0.02},
            {"year": 2030, "change": -0.05},
            {"year": 2045, "change": -0.5},
        ],
        **GHG,
    },
    {
        "target_id": "JL-NET-ZERO-2060",
        "name": "Net-zero Scope 1+2 by 2060",
        "name_zh": "2060年范围一和范围二净零排放",
        "kind": "absolute",
        "metric_key": "ghg.scope12_location",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2060,
        "target_value": 0.0,
        "net": True,
        "gross_target": "JL-GHG-2060-GROSS",
        "credits": [
            {
                "year": 2024,
                "quantity": 50000.0,
                "source": "CCER forestry carbon sink, Guangxi, vintage 2024 (assumption)",
            }
        ],
        **GHG,
    },
    {
        "target_id": "JL-SMELTER-KWH-2025",
        "name": "Smelter electricity at the 2025 benchmark level (13,350 kWh/t)",
        "name_zh": "2025年电解铝交流电耗达到基准水平（13350千瓦时/吨）",
        "kind": "intensity",
        "metric_key": "energy.electricity_per_primary_aluminium",
        "entity_id": SMELTER,
        "base_year": 2022,
        "target_year": 2025,
        "target_value": 13350.0,
    },
    {
        "target_id": "JL-ENERGY-REV-2025",
        "name": "Energy per revenue -13.5 % by 2025",
        "name_zh": "2025年万元营业收入综合能耗较2022年下降13.5%",
        "kind": "intensity",
        "metric_key": "energy.intensity_revenue",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2025,
        "target_change": -0.135,
    },
    {
        "target_id": "JL-WATER-REV-2027",
        "name": "Water per revenue -16 % by 2027",
        "name_zh": "2027年万元营业收入取水量较2022年下降16%",
        "kind": "intensity",
        "metric_key": "water.intensity_revenue",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2027,
        "target_change": -0.16,
    },
    {
        "target_id": "JL-LTIFR-2026",
        "name": "Lost-time injury frequency rate 0.5 by 2026",
        "name_zh": "2026年百万工时损工事件率降至0.5",
        "kind": "intensity",
        "metric_key": "safety.ltifr",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2026,
        "target_value": 0.5,
    },
    {
        "target_id": "JL-ZERO-FATALITIES",
        "name": "Zero work-related fatalities from 2025",
        "name_zh": "2025年起实现零死亡",
        "kind": "absolute",
        "metric_key": "safety.fatalities",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2025,
        "target_value": 0.0,
    },
    {
        "target_id": "JL-REDMUD-USE-2027",
        "name": "Red mud put to use: 300,000 t a year by 2027",
        "name_zh": "2027年赤泥综合利用量达到30万吨/年",
        "kind": "absolute",
        "metric_key": "waste.bauxite_residue_used",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2027,
        "target_value": 300000.0,
    },
    {
        "target_id": "JL-RECYCLED-AL-2027",
        "name": "Recycled aluminium +30 % by 2027",
        "name_zh": "2027年再生铝产量较2022年提高30%",
        "kind": "absolute",
        "metric_key": "production.recycled_aluminium",
        "entity_id": GROUP,
        "base_year": 2022,
        "target_year": 2027,
        "target_change": 0.3,
    },
]


def add_targets(services: Services, actor: Principal) -> str:
    """Store the demo group's targets; a line saying how they stand."""
    shown = [services.targets.create(actor, target) for target in TARGETS]
    statuses = [t["assessment"]["status"].replace("_", " ") for t in shown]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in sorted(set(statuses)))
    return f"set {len(shown)} targets: {counts}"
