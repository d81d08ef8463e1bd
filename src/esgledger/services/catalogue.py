"""The catalogue as the organisation extends it: its own metrics, axes and members, imported from
a file by an admin, each import a new audited version (:mod:`esgledger.catalogue.organisation`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from esgledger.catalogue import organisation as org
from esgledger.catalogue.breakdowns import load_axes
from esgledger.errors import RuleFileError
from esgledger.ledger import catalogue_versions
from esgledger.service_errors import Invalid
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.workflow.views import metric_dict


class CatalogueImport(dict[str, Any]):
    """What an import did: ``version`` (None when the file changed nothing), ``added`` and
    ``changed`` metric ids, ``axes`` and ``members`` added."""


class Catalogues(Capability):
    @reads("metric.read")
    def listing(self, call: Reading, origin: str | None = None) -> list[dict[str, Any]]:
        """Every metric, built-in and the organisation's (``origin``: one of them only)."""
        catalogue = self.context.catalogue
        rows = []
        for metric in catalogue.metrics.values():
            row = metric_dict(metric)
            if origin in (None, row["origin"]):
                rows.append({**row, "description": metric.description})
        return rows

    @reads("metric.read")
    def axes(self, call: Reading) -> list[dict[str, Any]]:
        """Every breakdown axis with its members; ``origin`` says whose each is."""
        builtin = load_axes()
        return [
            {
                "id": axis.id,
                "name": dict(axis.name),
                "origin": "built-in" if axis.id in builtin else "organisation",
                "members": [
                    {
                        "id": member,
                        "name": dict(labels),
                        "origin": "built-in"
                        if axis.id in builtin and member in builtin[axis.id].members
                        else "organisation",
                    }
                    for member, labels in axis.members.items()
                ],
            }
            for axis in self.context.catalogue.axes.values()
        ]

    @reads("metric.read")
    def versions(self, call: Reading) -> list[dict[str, Any]]:
        """Every version of the organisation's catalogue, oldest first."""
        return [v.summary() for v in catalogue_versions.history(call.connection)]

    @reads("metric.read")
    def export(self, call: Reading) -> str:
        """The organisation's catalogue in effect, as a file ``catalogue import`` reads back."""
        version = catalogue_versions.newest_version(call.connection)
        stored = catalogue_versions.read_version(call.connection, version) if version else None
        return org.dump_yaml(stored.content if stored else org.empty())

    @writes("catalogue.import")
    def import_file(self, call: Writing, path: Path, name: str | None = None) -> CatalogueImport:
        """Add the metrics, axes and members of ``path`` (YAML or CSV) to the organisation's
        catalogue, validated like the built-ins; all or nothing. ``name``: the file's name as
        the user gave it (an upload's), for the record."""
        file_name = name or path.name
        try:
            given = org.read_file(path)
        except RuleFileError as exc:
            raise Invalid(_without_path(str(exc), path, file_name), field="file") from exc
        connection = call.connection
        version = catalogue_versions.newest_version(connection)
        stored = catalogue_versions.read_version(connection, version) if version else None
        previous = stored.content if stored else org.empty()
        builtin = self.context.catalogue_with(None)
        where = file_name
        try:
            content = org.merged(previous, given, set(builtin.metrics), load_axes(), where)
            self.context.catalogue_with(content, where)  # validated exactly like the built-ins
        except RuleFileError as exc:
            raise Invalid(_without_path(str(exc), path, file_name), field="file") from exc
        result = CatalogueImport(
            version=None,
            added=sorted(set(given["metrics"]) - set(previous["metrics"])),
            changed=sorted(
                m
                for m in set(given["metrics"]) & set(previous["metrics"])
                if given["metrics"][m] != previous["metrics"][m]
            ),
            axes=sorted(set(given["axes"]) - set(previous["axes"])),
            members=sorted(
                f"{axis}.{member}"
                for axis, members in given["members"].items()
                for member in members
                if member not in (previous["members"].get(axis) or {})
            ),
        )
        if stored is not None and org.content_sha256(content) == stored.sha256:
            return result
        result["version"] = catalogue_versions.record_version(
            call.change, content, file_name
        ).version
        return result


def _without_path(message: str, path: Path, name: str) -> str:
    """The error as the user knows the file (an upload's own name, not its temporary path)."""
    return message.replace(str(path), name)
