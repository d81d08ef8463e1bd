"""The public questionnaire ``/q/<token>``: a stakeholder answers through the link sent to their
group, without an account. The page shows the questionnaire only (no navigation, no link to
anything else), in English or Chinese (``?lang=zh``); each link takes one response; requests are
counted per client address (:meth:`esgledger.services.stakeholders.Stakeholders.admit`). The
link itself is the form's authority (an unguessable, signed token), so no session is needed."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from esgledger.api.errors import error_response
from esgledger.i18n import HTML_LANG, Strings
from esgledger.service_errors import ServiceError
from esgledger.services.stakeholders import RESPONDENT
from esgledger.web.render import environment, wants_json
from esgledger.web.routing import describe, web_router
from esgledger.web.session import client_address, language, service

router = web_router()


def _lang(request: Request) -> str:
    chosen = request.query_params.get("lang")
    return chosen if chosen in ("en", "zh") else language(request)


def _page(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    lang = _lang(request)
    body = (
        environment()
        .get_template("questionnaire.html.j2")
        .render(t=Strings(lang), lang=lang, html_lang=HTML_LANG[lang], **context)
    )
    response = HTMLResponse(body, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(request: Request, error: ServiceError) -> Response:
    status, code, message, field, details = describe(error)
    if wants_json(request):
        return error_response(status, code, message, field, details)
    return _page(
        request,
        {
            "questionnaire": None,
            "done": False,
            "error": error.code,
            "message": message,
            "token": "",
        },
        status,
    )


@router.get("/q/{token}")
def questionnaire(request: Request, token: str) -> Response:
    services = service(request)
    try:
        services.stakeholders.admit(RESPONDENT, client_address(request))
        shown = services.stakeholders.questionnaire(RESPONDENT, token)
    except ServiceError as error:
        return _refused(request, error)
    context = {"questionnaire": shown, "done": False, "error": None, "message": "", "token": token}
    return _page(request, context)


@router.post("/q/{token}")
async def answer(request: Request, token: str) -> Response:
    services = service(request)
    form = await request.form()
    answers = {
        key[len("topic.") :]: value
        for key, value in form.items()
        if key.startswith("topic.") and isinstance(value, str) and value
    }
    comment = form.get("comment")
    try:
        services.stakeholders.admit(RESPONDENT, client_address(request))
        await services.stakeholders.respond.run_async(
            RESPONDENT, token, answers, comment if isinstance(comment, str) else ""
        )
    except ServiceError as error:
        return _refused(request, error)
    return _page(
        request, {"questionnaire": None, "done": True, "error": None, "message": "", "token": ""}
    )
