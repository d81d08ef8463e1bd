"""Reports: build a period's report in English or Chinese, list the builds, download one. Both a
build and a download are recorded in the audit log."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from esgledger.ledger import report_builds as registry
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.workflow.periods import parse_period

LANGUAGES = ("en", "zh")


class Reports(Capability):
    @staged("report.build")
    def build(self, call: Call, period: str, lang: str) -> dict[str, Any]:
        """Write the report of a year (three years of KPIs, lineage appendix) and register it."""
        name = str(parse_period(period))
        if lang not in LANGUAGES:
            raise Invalid("lang is en or zh", field="lang")
        reports_dir = self.context.reports_dir
        out = reports_dir / f"{name}-{lang}"
        with call.reading() as connection:
            path = self.context.options.report_builder(
                connection, self.context.catalogue, name, out, lang
            )
        data = path.read_bytes()
        relative = path.resolve().relative_to(reports_dir.resolve()).as_posix()
        with call.writing() as change:
            record = registry.record_build(
                change,
                name,
                lang,
                path.name,
                relative,
                hashlib.sha256(data).hexdigest(),
                len(data),
            )
        return registry.public(record)

    @reads("report.read")
    def annex(self, call: Reading, period: str, lang: str, out: Path) -> Path:
        """Write the XLSX data annex of a year into ``out`` (every published number at full
        precision, with unit, boundary, method, lineage key and factors) and return its path."""
        from esgledger.report.annex import build_annex

        if lang not in LANGUAGES:
            raise Invalid("lang is en or zh", field="lang")
        name = str(parse_period(period))
        return build_annex(call.connection, self.context.catalogue, name, out, lang)

    @reads("report.read")
    def list(self, call: Reading) -> list[dict[str, Any]]:
        """The last build of each period's report in each language, newest period first."""
        return [registry.public(r) for r in registry.latest_builds(call.connection)]

    @reads("report.read")
    def latest(self, call: Reading, period: str, lang: str) -> dict[str, Any] | None:
        """The record of the last build of a report, or None."""
        record = registry.latest_build(call.connection, str(parse_period(period)), lang)
        return None if record is None else registry.public(record)

    @staged("report.read")
    def download(self, call: Call, period: str, lang: str) -> tuple[dict[str, Any], Path]:
        """The file of the last build (checked against its SHA-256); the download is audited."""
        name = str(parse_period(period))
        with call.reading() as connection:
            record = registry.latest_build(connection, name, lang)
        if record is None:
            raise NotFound(f"no report built for {name} ({lang}); build it first")
        reports_dir = self.context.reports_dir.resolve()
        path = (reports_dir / record["storage_path"]).resolve()
        if reports_dir not in path.parents or not path.is_file():
            raise NotFound(f"the report file for {name} ({lang}) is missing; build it again")
        if hashlib.sha256(path.read_bytes()).hexdigest() != record["sha256"]:
            raise NotFound(
                f"the report file for {name} ({lang}) is not the one built (its SHA-256 "
                "differs); build it again"
            )
        with call.writing() as change:
            change.record(
                "report.download",
                "report",
                f"{name}.{lang}",
                {"build": record["id"], "sha256": record["sha256"]},
            )
        return registry.public(record), path
