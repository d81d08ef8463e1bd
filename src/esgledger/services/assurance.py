"""The assurance pack of a period (issue 12, part 4): every published number with its lineage,
factors, evidence files, approvals, the audit log extract and the chain anchor, the QA results,
the reported-versus-computed differences and a seeded sample, with a manifest and a standalone
``verify.py``. Reading only: two packs of one ledger state are the same bytes (an export is not
written to the audit log, which would move the chain head the pack records)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.assurance import FORMAT, Pack, default_seed, sample
from esgledger.assurance.figures import published_figures
from esgledger.errors import EsgLedgerError
from esgledger.evidence.files import safe_name
from esgledger.ledger import assurance_reads
from esgledger.ledger import qa as qa_records
from esgledger.ledger import report_builds as registry
from esgledger.ledger.anchors import take_anchor
from esgledger.ledger.audit_query import AuditFilters
from esgledger.lineage import Record
from esgledger.report.build import report_context
from esgledger.report.context import ReportContext
from esgledger.report.published import published_anchor
from esgledger.report.trace import subtree
from esgledger.service_errors import Invalid
from esgledger.services.context import Context
from esgledger.services.operation import Capability, Reading, reads
from esgledger.services.qa import QA, finding_dict, rule_dict
from esgledger.workflow.periods import parse_period


@dataclass(frozen=True)
class AssurancePack:
    """A built pack: its zip bytes, file name and what it holds."""

    file_name: str
    data: bytes
    summary: dict[str, Any]


class Assurance(Capability):
    @reads("assurance.export")
    def pack(
        self, call: Reading, period: str, seed: int | None = None, entity: str | None = None
    ) -> AssurancePack:
        """The assurance pack of a report year as a zip (see docs/assurance.md)."""
        name = str(parse_period(period))
        if seed is not None and not 0 <= seed < 2**63:
            raise Invalid("the seed is a whole number from 0 to 2**63 - 1", field="seed")
        connection = call.connection
        try:
            context, _strings = report_context(
                connection, self.context.catalogue, name, "en", entity
            )
        except EsgLedgerError as exc:
            about = "entity" if entity is not None and "entity" in str(exc) else "period"
            raise Invalid(str(exc), field=about) from exc
        run = context.sources.runs[name]
        figures = published_figures(context, self.context.catalogue, run.records)
        records = _records_under(run.records, [f["lineage_key"] for f in figures])
        pack = Pack()
        anchor = _anchor(connection)
        chosen = default_seed(name, anchor["hash"]) if seed is None else seed
        pack.add_json("figures.json", figures)
        pack.add_json("lineage/records.json", records)
        pack.add_json("factors.json", _factors(records))
        counts = self._datapoints(connection, pack, figures)
        entries = assurance_reads.audit_extract(connection, AuditFilters(period=name))
        pack.add_json("audit/entries.json", entries)
        pack.add_json("audit/head.json", assurance_reads.audit_entry(connection, anchor["seq"]))
        pack.add_json("audit/anchor.json", anchor)
        builds = [b for b in registry.latest_builds(connection) if b["period"] == name]
        pack.add_json("reports.json", [registry.public(b) for b in builds])
        pack.add_json("differences.json", _differences(context))
        qa_counts = _quality(self.context, call, name, pack)
        drawn = sample(figures, records, self.context.catalogue, chosen)
        pack.add_json("sample.json", drawn)
        summary = {
            "format": FORMAT,
            "period": name,
            "entity": context.sources.root,
            "head": {"seq": anchor["seq"], "hash": anchor["hash"]},
            "as_of": anchor["at"],
            "seed": chosen,
            "figures": len(figures),
            "records": len(records),
            "audit_entries": len(entries),
            "sampled": len(drawn["entries"]),
            **counts,
            **qa_counts,
        }
        pack.add_json("pack.json", summary)
        pack.finish(
            {
                "period": name,
                "entity": context.sources.root,
                "head_seq": anchor["seq"],
                "head_hash": anchor["hash"],
                "seed": chosen,
            }
        )
        return AssurancePack(f"esgledger-assurance-{name}.zip", pack.zip_bytes(), summary)

    def _datapoints(
        self, connection: sa.Connection, pack: Pack, figures: list[dict[str, Any]]
    ) -> dict[str, int]:
        """approvals.json, evidence/index.json and the evidence files; their counts."""
        ids = {point for figure in figures for point in figure["datapoints"]}
        versions = assurance_reads.versions_of(connection, ids)
        every = [v["id"] for v in versions]
        trail = assurance_reads.review_trail(connection, every)
        by_point: dict[int, list[dict[str, Any]]] = {}
        for comment in trail:
            by_point.setdefault(comment["datapoint_id"], []).append(comment)
        pack.add_json(
            "approvals.json",
            [{**version, "review": by_point.get(version["id"], [])} for version in versions],
        )
        index = []
        for record in assurance_reads.evidence_of(connection, every):
            path = self.context.evidence_dir / record["storage_path"]
            inside = f"evidence/files/{record['sha256']}-{safe_name(record['file_name'])}"
            index.append({**record, "file": inside, "present": path.is_file()})
            if path.is_file():
                pack.add(inside, path.read_bytes())
        pack.add_json("evidence/index.json", index)
        return {
            "datapoint_versions": len(versions),
            "approvals": sum(1 for c in trail if c["action"] == "approve"),
            "evidence_files": len(index),
        }


def _quality(context: Context, call: Reading, period: str, pack: Pack) -> dict[str, int]:
    """qa/findings.json (every finding of the checks on the period, each with the justification
    in force, if any) and qa/justifications.json (the justifications in force and any admin's
    override of the report gate), read on the pack's connection."""
    checked = QA.check.function(QA(context), call, period)
    justified = qa_records.justifications(call.connection, period)
    by_key = {(j["rule"], j["finding_key"]): j for j in justified}
    findings = [
        {
            **finding_dict(finding, checked.reference(finding)),
            "justification": by_key.get((finding.rule, finding.key)),
        }
        for finding in checked.findings
    ]
    pack.add_json(
        "qa/findings.json",
        {
            "period": period,
            "counts": checked.counts,
            "rules": [rule_dict(rule) for rule in checked.rules],
            "findings": findings,
        },
    )
    pack.add_json(
        "qa/justifications.json",
        {"justifications": justified, "override": qa_records.override(call.connection, period)},
    )
    return {
        "qa_findings": len(findings),
        "qa_errors_open": sum(
            1 for f in findings if f["severity"] == "error" and f["justification"] is None
        ),
        "qa_justified": sum(1 for f in findings if f["justification"] is not None),
    }


def _records_under(records: dict[str, Record], keys: list[str]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for key in keys:
        for record, _share in subtree(records, key):
            found.setdefault(record["key"], record)
    return dict(sorted(found.items()))


def _factors(records: dict[str, Record]) -> list[dict[str, Any]]:
    """Every factor value read under the published numbers, once, with its edition."""
    found: dict[tuple[str, str, str, float], dict[str, Any]] = {}
    for record in records.values():
        for factor in record.get("factors", []):
            identity = (
                factor["factor"],
                str(factor.get("version", "")),
                factor.get("valid_from", ""),
                factor["value"],
            )
            entry = found.setdefault(
                identity,
                {k: v for k, v in factor.items() if k not in ("applies_to", "role")}
                | {"used_by": []},
            )
            entry["used_by"].append(record["key"])
    return [found[identity] for identity in sorted(found, key=str)]


def _anchor(connection: sa.Connection) -> dict[str, Any]:
    """The chain head as an anchor (``esgledger-anchor/1``), timed by the head entry so that
    the pack does not depend on when it was made."""
    taken = take_anchor(connection)
    head = assurance_reads.audit_entry(connection, taken.seq)
    return dataclasses.replace(taken, at=head["at"]).as_dict()


def _differences(context: ReportContext) -> list[dict[str, Any]]:
    """The reporting entity's published figures of the year beside the computation."""
    figures = context.figures
    listed = {row.anchor: dataclasses.asdict(row) for row in context.published}
    rows = []
    for (metric_key, year), point in sorted(figures.published.items()):
        if year != context.year:
            continue
        trace = figures.traces.get((metric_key, year))
        published = point.value_normalised
        computed = None if trace is None else trace.value
        rows.append(
            {
                "metric": metric_key,
                "year": year,
                "published": published,
                "computed": computed,
                "difference": None
                if computed is None or published == 0
                else (computed - published) / published,
                "source": point.source,
                "datapoint": point.id,
                "in_report": listed.get(published_anchor(metric_key, year)),
            }
        )
    return rows
