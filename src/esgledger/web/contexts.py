"""What each template receives, typed: mypy checks every page that builds a context.

A page's context is three parts, merged in this order: the chrome every page has (:class:`Chrome`,
built by :func:`esgledger.web.render.chrome`), the page's data (``...Data``: exactly its JSON twin)
and what only the HTML needs (``...View``: permissions to show a button, flash messages, display
helpers). :data:`TEMPLATES` names the parts of each template, so that a test checks every variable
a template uses against them (``tests/test_web_contexts.py``), and that each JSON twin holds the
keys of its ``...Data``.

A service's answer is passed on as the service returns it (:data:`Answer`): the services own those
shapes, and the JSON twins pin them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from esgledger.web.contexts_targets import TargetsData, TargetsView
from esgledger.web.materiality_contexts import (
    IrosData,
    IrosView,
    MaterialityData,
    MaterialityListData,
    MaterialityListView,
    MaterialityView,
    QuestionnaireView,
    StakeholdersData,
    StakeholdersView,
)

if TYPE_CHECKING:
    from esgledger.i18n import Strings
    from esgledger.web.issues import IssueText
    from esgledger.web.lineage_tree import Node
    from esgledger.web.pages.explain import EngineText
    from esgledger.web.remedies import Remedy
    from esgledger.web.render import Names
    from esgledger.web.session import Viewer

Answer = dict[str, Any]  # a service's answer (a data point, a card, a period state), as returned


# -- every page ------------------------------------------------------------------------------------
class NavItem(TypedDict):
    page: str
    href: str
    active: bool
    group: str | None  # a menu of the navigation bar the link sits in (None: the bar itself)


class Chrome(TypedDict):
    t: Strings
    lang: str
    html_lang: str
    viewer: Viewer | None
    csrf_token: str
    nav: list[NavItem]
    names: Names | None
    here: str  # where the language links lead back to
    json_url: str | None  # None: no JSON twin (an error page)
    fragment: bool  # an HTMX request


class Refusal(TypedDict):
    """A refusal shown on a page: the fields of the JSON error shape."""

    code: str
    message: str
    field: str | None
    details: Any


class ErrorInfo(Refusal):
    status: int


class ErrorData(TypedDict):
    error: ErrorInfo


class ErrorView(TypedDict):
    remedy: Remedy | None
    here: str
    json_url: str | None


class LoginData(TypedDict):
    next: str
    csrf_token: str
    error: Refusal | None
    username: NotRequired[str]


# -- data entry ------------------------------------------------------------------------------------
class EntityChoice(TypedDict):
    entity: str
    parent: str | None
    editable: bool


class EntryIndexData(TypedDict):
    period: str
    entities: list[EntityChoice]


class EntryData(TypedDict):
    """The entry form (:meth:`EntryForms.form`); after a refused post, also what was written and
    the refusals by metric."""

    entity: str
    period: str
    last_year: str
    locked: str | None
    editable: bool
    threshold: float
    groups: list[Answer]
    written: NotRequired[list[Answer]]
    errors: NotRequired[dict[str, Answer]]
    entered: NotRequired[dict[str, dict[str, str]]]


class EntryOutcome(TypedDict):
    """A refused post of the entry form: what was written, the refusals by metric, and what was
    typed (shown again)."""

    written: list[Answer]
    errors: dict[str, Answer]
    entered: dict[str, dict[str, str]]


class EntryView(TypedDict):
    entered: dict[str, dict[str, str]]
    errors: dict[str, Answer]
    flash: dict[str, str | None]
    written: NotRequired[list[Answer]]
    workbook: str  # the collection workbook of this entity and period


class EntryCheckData(TypedDict):
    """The change against last year of a value being typed (:meth:`EntryForms.preview`)."""

    metric: str
    slug: str
    change: float | None
    change_from_zero: bool
    threshold: float
    over_threshold: bool
    last_year: Answer | None
    explanations: list[str]
    explainable: bool


class EntryCheckView(TypedDict):
    text: str  # the explanation typed so far


# -- review ----------------------------------------------------------------------------------------
class ReviewData(TypedDict):
    period: str
    entity: str | None
    total: int
    after: int | None
    next_after: int | None
    limit: int
    items: list[Answer]


class ReviewLinks(TypedDict):
    this: str
    start: str | None
    next: str | None


class EntityOption(TypedDict):
    id: str
    name: str


class ReviewView(TypedDict):
    flash: dict[str, str | None]
    links: ReviewLinks
    periods: list[str]
    entities: list[EntityOption]


class ReviewCardView(TypedDict):
    it: Answer
    refused: Refusal | None


# -- calculated values, explain ----------------------------------------------------------------
class ValuesData(TypedDict):
    period: str
    values: list[Answer]
    gaps: list[Answer]  # values the inventory could not compute (or not reported), and why


class CalcView(TypedDict):
    can_calc: bool
    activity_year: str | None  # the year whose bulk activity calculation may be run here


class ExplainData(TypedDict):
    root: str
    records: list[Answer]
    reported: Answer | None  # the figure the organisation published, beside the computation
    difference: float | None  # (computed - published) / published
    gap: Answer | None  # why there is no computed value (not computable, not reported)


class NotComputedView(TypedDict):
    engine: EngineText


class ExplainView(TypedDict):
    engine: EngineText
    tree: Node
    anchors: dict[str, str]


# -- periods and settings ---------------------------------------------------------------------------
class PeriodsData(TypedDict):
    periods: list[Answer]


class PeriodData(TypedDict):
    period: Answer
    threshold: float
    settings: list[Answer]


class PeriodView(CalcView):
    can_settings: bool
    can_lock: bool
    can_reopen: bool
    flash: Answer | None  # what the bulk activity calculation did


class SettingsData(TypedDict):
    settings: list[Answer]


class SettingsView(TypedDict):
    can_change: bool
    changed: str | None  # the key of the setting just changed
    problem: SettingProblem | None
    here: str
    json_url: str


class SettingProblem(Refusal):
    key: str
    entered: str


# -- imports ---------------------------------------------------------------------------------------
class ImportsData(TypedDict):
    kinds: list[str]  # the files this user may import
    max_upload_bytes: int


class HeldValue(TypedDict):
    entity: str
    period: str
    metric: str
    href: str  # its row on the entry form


class ImportOutcome(TypedDict):
    kind: str
    file: str
    result: Answer  # what the import wrote, as its JSON answer says it
    held: list[HeldValue]


class ImportRefusal(Refusal):
    kind: str
    file: str
    issues: Answer | None  # a refused file: ``total`` and the first ``issues``


class ImportsView(TypedDict):
    entities: list[str]  # for the collection workbook
    period: str
    can_calc: bool
    outcome: ImportOutcome | None
    refused: ImportRefusal | None
    here: str
    json_url: str
    issue_text: NotRequired[IssueText]


# -- one data point, users -------------------------------------------------------------------------
class CardData(TypedDict):
    """A value with everything a reviewer needs (:meth:`Collection.card`)."""

    point: Answer
    last_year: Answer | None
    change: float | None
    change_from_zero: bool
    over_threshold: bool
    explanations: list[Answer]
    comments: list[Answer]
    versions: list[Answer]
    evidence: list[Answer]
    audit: list[Answer]
    explain: bool
    locked: str | None
    can: dict[str, bool]


class DatapointView(TypedDict):
    flash: str | None


class UsersData(TypedDict):
    users: list[Answer]
    roles: list[str]
    entities: list[str]


class UsersView(TypedDict):
    flash: dict[str, str] | None
    problem: Answer | None
    password_length: dict[str, int]
    here: str
    json_url: str


# template -> the parts of its context besides the chrome (a data point's page is the card)
# the assessment's pages (issue 10, parts 2 and 3)
ASSESS_TEMPLATES: dict[str, tuple[type, ...]] = {
    "materiality_list.html.j2": (MaterialityListData, MaterialityListView),
    "materiality.html.j2": (MaterialityData, MaterialityView),
    "iros.html.j2": (IrosData, IrosView),
    "stakeholders.html.j2": (StakeholdersData, StakeholdersView),
    "questionnaire.html.j2": (QuestionnaireView,),
}
TEMPLATES: dict[str, tuple[type, ...]] = {
    "error.html.j2": (ErrorData, ErrorView),
    "login.html.j2": (LoginData,),
    "entry_index.html.j2": (EntryIndexData,),
    "entry.html.j2": (EntryData, EntryView),
    "entry_check.html.j2": (EntryCheckData, EntryCheckView),
    "review.html.j2": (ReviewData, ReviewView),
    "review_card.html.j2": (ReviewCardView,),
    "values.html.j2": (ValuesData, CalcView),
    "explain.html.j2": (ExplainData, ExplainView),
    "not_computed.html.j2": (ExplainData, NotComputedView),
    "periods.html.j2": (PeriodsData,),
    "period.html.j2": (PeriodData, PeriodView),
    "settings.html.j2": (SettingsData, SettingsView),
    "imports.html.j2": (ImportsData, ImportsView),
    "datapoint.html.j2": (CardData, DatapointView),
    "users.html.j2": (UsersData, UsersView),
    **ASSESS_TEMPLATES,
    "targets.html.j2": (TargetsData, TargetsView),
}

# the assessment's pages, typed in modules of their own
from esgledger.web import contexts_governance  # noqa: E402

TEMPLATES |= contexts_governance.TEMPLATES

from esgledger.web import contexts_dashboard, contexts_report  # noqa: E402

TEMPLATES |= contexts_dashboard.TEMPLATES

TEMPLATES |= contexts_report.TEMPLATES
from esgledger.web import contexts_disclose  # noqa: E402

TEMPLATES |= contexts_disclose.TEMPLATES

from esgledger.web import contexts_qa  # noqa: E402

TEMPLATES |= contexts_qa.TEMPLATES
