"""A content index from the sections' own declarations (front matter ``meets`` and ``tag``
placeholders): each framework item a section claims, with links to the sections (page numbers in
the PDF). The coverage computation (esgledger.disclose, issue 11 part 2) replaces it with the
checked index; this one is what the report shows while no coverage fragment is given."""

from __future__ import annotations

from markupsafe import Markup, escape

from esgledger.frameworks import FrameworkLibrary
from esgledger.i18n import Strings
from esgledger.report.full.outline import Outline


def tag_index(
    framework: str,
    tags: dict[str, set[str]],
    outline: Outline,
    library: FrameworkLibrary,
    strings: Strings,
) -> str | None:
    prefixes = {p for p, f in library.prefixes().items() if f == framework}
    by_item: dict[str, list[str]] = {}
    for section in outline.sections():
        for reference in sorted(tags.get(section.id, ())):
            if reference.split("-", 1)[0] in prefixes or any(
                reference.startswith(p + "-") for p in prefixes
            ):
                by_item.setdefault(reference, []).append(section.id)
    if not by_item:
        return None
    rows = []
    for reference in sorted(by_item):
        items = library.resolve(reference)
        title = items[-1].title(strings.lang) if items else ""
        links = ", ".join(
            str(
                Markup('<a class="loc" href="#sec-{}">{}</a>').format(
                    s,
                    outline.section(s).title[strings.lang],  # type: ignore[union-attr]
                )
            )
            for s in by_item[reference]
        )
        rows.append(
            f'<tr><th scope="row"><code>{escape(reference)}</code></th>'
            f"<td>{escape(title)}</td><td>{links}</td></tr>"
        )
    head = Markup(
        '<table class="data index-table"><thead><tr><th scope="col">{}</th><th scope="col">{}'
        '</th><th scope="col">{}</th></tr></thead><tbody>'
    ).format(strings("full.index_item"), strings("full.index_title"), strings("full.index_where"))
    return str(head) + "".join(rows) + "</tbody></table>"
