"""User administration (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from esgledger.api.deps import Service, User
from esgledger.api.models import Page, Role, UserIn, UserOut, UserPatch
from esgledger.api.paging import Limit, Offset, paged

router = APIRouter(tags=["users"])
Username = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")]


@router.get("/users", response_model=Page[UserOut])
def list_users(
    user: User,
    service: Service,
    role: Role | None = None,
    active: bool | None = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[UserOut]:
    """Accounts by user name (admin); ``role`` and ``active`` filter them."""
    found = service.accounts.users(user, role, active)
    return paged(found, limit, offset, lambda info: UserOut(**info.as_dict()))


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, user: User, service: Service) -> UserOut:
    info = service.accounts.create(user, body.username, body.password, body.role, body.entities)
    return UserOut(**info.as_dict())


@router.get("/users/{username}", response_model=UserOut)
def get_user(username: Username, user: User, service: Service) -> UserOut:
    return UserOut(**service.accounts.get(user, username).as_dict())


@router.patch("/users/{username}", response_model=UserOut)
def update_user(username: Username, body: UserPatch, user: User, service: Service) -> UserOut:
    changes = body.model_dump(exclude_unset=True)
    return UserOut(**service.accounts.update(user, username, **changes).as_dict())
