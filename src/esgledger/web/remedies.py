"""What a web user can do about a refusal: the page's own door to the step the refusal asks for.

The services name every door in their messages ("calculate 2024 first: 'esgledger calc --period
2024', POST /api/v1/calculations or the Calculate button of the period's page"); a web page says
it in the page language and links to the page where the step is done (the period's page with its
Calculate button, the imports page), or says whom to ask when the user may not do it. A refusal
is recognised by the command its message names, so a message that changes its wording around the
command still gets its remedy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esgledger.services import Principal, may

PERIOD = r"(?P<period>[0-9]{4}(?:-[0-9]{2})?)"
# (what is missing, the command a message names, the action that does it, the page that does it)
STEPS = (
    (
        "calculate",
        re.compile(rf"esgledger calc --period {PERIOD}"),
        "calc.run",
        "/periods/{period}",
    ),
    (
        "activity",
        re.compile(rf"esgledger activity import FILE --period {PERIOD}"),
        "activity.import",
        "/imports#activity",
    ),
    (
        "organisation",
        re.compile(r"esgledger org import"),
        "organisation.import",
        "/imports#organisation",
    ),
)


@dataclass(frozen=True)
class Remedy:
    """The step a refusal asks for (``remedy.STEP`` in i18n.yaml), for ``period`` when it names
    one; ``href`` is where the user does it, None when the policy does not let them."""

    step: str
    period: str
    href: str | None


def remedy(message: str, user: Principal | None) -> Remedy | None:
    """The step ``message`` asks for before trying again, or None."""
    for step, command, action, page in STEPS:
        found = command.search(message)
        if found is None:
            continue
        period = found.groupdict().get("period") or ""
        allowed = user is not None and may(user, action)
        return Remedy(step, period, page.format(period=period) if allowed else None)
    return None
