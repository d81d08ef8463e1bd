"""Inventory-wide settings: the base year, the restatement threshold, the change against last
year that needs an explanation. Everyone reads them; ESG managers and admins change them
(audited, with the value before)."""

from __future__ import annotations

from fastapi import APIRouter

from esgledger.api.deps import Service, User
from esgledger.api.models import Page
from esgledger.api.models_admin import SettingIn, SettingKey, SettingOut
from esgledger.api.paging import Limit, Offset, paged

router = APIRouter(tags=["settings"])


@router.get("/settings", response_model=Page[SettingOut])
def list_settings(
    user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[SettingOut]:
    """Every setting with its value, default, range and help (English and Chinese)."""
    return paged(service.settings.list(user), limit, offset, lambda s: SettingOut(**s))


@router.put("/settings/{key}", response_model=SettingOut)
def change_setting(key: SettingKey, body: SettingIn, user: User, service: Service) -> SettingOut:
    """Change a setting within its range (422 ``invalid`` otherwise). ESG manager, admin."""
    return SettingOut(**service.settings.set(user, key, body.value))
