"""The demo group's double materiality assessment (``data/materiality.yaml``): stakeholder groups,
their survey answers (a keyed-in response file, imported all or nothing, and answers through
questionnaire links), the IRO register with its scores, the Art. 7 explanations, and a run of the
assessment. Where each magnitude comes from is said beside it in the data file. The assessment
stays a draft: its approval needs the governance bodies and targets of the other assessment
parts, and an approver other than the person who scored it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from esgledger.services import Principal, Services
from esgledger.services.stakeholders import RESPONDENT

DATA = Path(__file__).with_name("data") / "materiality.yaml"
RESPONSES_FILE = "stakeholder-survey-2024.csv"


def load() -> dict[str, Any]:
    return dict(yaml.safe_load(DATA.read_text(encoding="utf-8")))


def survey_rows(plan: dict[str, Any], topics: list[str]) -> list[list[str]]:
    """The keyed-in survey: per group, ``respondents`` answers of each topic around the topic's
    typical answer (shifted for the group), each respondent moved by one of ``offsets``."""
    answers = plan["answers"]
    rows = []
    for group in plan["groups"]:
        shift = answers["groups"].get(group, {})
        for n in range(answers["respondents"]):
            offset = answers["offsets"][n % len(answers["offsets"])]
            cells = []
            for topic in topics:
                typical = answers["base"][topic] + shift.get(topic, 0.0) + offset
                cells.append(str(min(5, max(1, round(typical)))))
            rows.append([group, f"{group}-{n + 1}", *cells])
    return rows


def seed_materiality(services: Services, actor: Principal, folder: Path) -> str:
    plan = load()
    topics = [t["id"] for t in services.stakeholders.topics(actor)]
    found = services.materiality.create(
        actor, plan["period"], plan["method_text"], None, topics, False
    )
    assessment = found["id"]
    for group_id, group in plan["groups"].items():
        services.stakeholders.save_group(actor, {"id": group_id, **group})
    path = folder / RESPONSES_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group", "respondent", *topics])
        writer.writerows(survey_rows(plan, topics))
    imported = services.stakeholders.import_responses(actor, assessment, path)["responses"]
    for group, answered in plan["links"].items():
        tokens = services.stakeholders.issue_links(actor, assessment, group, len(answered) + 1)
        for token, answers in zip(tokens, answered, strict=False):
            services.stakeholders.respond(RESPONDENT, token, answers)
    for spec in plan["iros"]:
        record = {k: v for k, v in spec.items() if k not in ("score", "rationale")}
        iro = services.iros.create(actor, assessment, record)
        services.iros.score(actor, iro["id"], spec["score"], spec["rationale"])
    for topic, text in plan["explanations"].items():
        services.materiality.explain(actor, assessment, topic, text)
    results = services.materiality.run(actor, assessment)["results"]
    classes = [r["class"] for r in results.values()]
    counted = ", ".join(
        f"{classes.count(c)} {c.replace('_', ' ')}"
        for c in ("double", "impact_only", "financial_only", "not_material")
    )
    return (
        f"materiality {plan['period']}: {len(plan['groups'])} stakeholder groups, "
        f"{imported + sum(len(a) for a in plan['links'].values())} responses, "
        f"{len(plan['iros'])} IROs scored; topics: {counted}"
    )
