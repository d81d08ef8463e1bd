"""Request dependencies: the service and the signed-in user (bearer token).

The ones that do no I/O are ``async`` so that FastAPI runs them on the event loop instead of
handing each to the thread pool. ``User`` is resolved in a worker thread of its own. The busiest
routes (data points) take the ``Token`` instead: reads resolve the user at the start of their own
worker-thread call (``service.signed_in``: one hand-off and one connection per request, not two);
writes are coroutines that check the token in a worker thread (:func:`signed_in`) and then wait
for the group commit without holding a thread, so that waiting writes never keep reads from the
8 worker threads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from esgledger.service_errors import Unauthenticated
from esgledger.services import Principal, Services

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token")


async def service(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated(
            "sign in: send 'Authorization: Bearer <token>' with a token from "
            "POST /api/v1/auth/token"
        )
    if len(credentials.credentials) > 200:
        raise Unauthenticated("the bearer token is not valid")
    return credentials.credentials


def current_user(
    token: Annotated[str, Depends(bearer_token)],
    services: Annotated[Services, Depends(service)],
) -> Principal:
    return services.accounts.principal_for_token(token)


async def signed_in(services: Services, token: str) -> Principal:
    """The token's user, checked in a worker thread (the check reads the database)."""
    return await run_in_threadpool(services.accounts.principal_for_token, token)


_DECLARED_QUERY: dict[int, frozenset[str]] = {}


def _declared_query(dependant: Any) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query(sub)
    return frozenset(names)


async def known_query_only(request: Request) -> None:
    """Refuse query parameters the endpoint does not take: a misspelt filter (``?entitty=``)
    would otherwise be ignored, and the unfiltered answer taken for a filtered one."""
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    allowed = _DECLARED_QUERY.get(id(route))
    if allowed is None:
        allowed = _DECLARED_QUERY[id(route)] = _declared_query(route.dependant)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        takes = ", ".join(sorted(allowed)) or "no query parameters"
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"unknown query parameter; this endpoint takes {takes}",
                    "type": "unknown_query_parameter",
                }
                for name in unknown
            ]
        )


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


Service = Annotated[Services, Depends(service)]
User = Annotated[Principal, Depends(current_user)]
Token = Annotated[str, Depends(bearer_token)]
