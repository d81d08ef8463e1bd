"""Sign-in for API clients: a bearer token for a user name and password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from esgledger.api.deps import Service, Token, User, client_address
from esgledger.api.models import TokenOut, TokenRequest, UserOut

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut)
def token(
    body: TokenRequest, service: Service, client: Annotated[str, Depends(client_address)]
) -> TokenOut:
    """Exchange a user name and password for a bearer token. Failed attempts are throttled per
    client address and user name; repeated failures lock the account for a while (429)."""
    issued = service.accounts.issue_token(body.username, body.password, client)
    return TokenOut(access_token=issued.secret, expires_at=issued.expires_at)


@router.delete("/auth/token", status_code=204)
def revoke(token: Token, user: User, service: Service) -> None:
    """Revoke the token this request is signed with."""
    service.accounts.revoke_token(token)


@router.get("/auth/me", response_model=UserOut)
def me(user: User, service: Service) -> UserOut:
    return UserOut(**service.accounts.get(user, user.username).as_dict())
