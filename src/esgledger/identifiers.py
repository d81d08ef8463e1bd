"""Identifiers people choose: user names and entity ids, one rule each for every door (the
organisation importer, user creation on the CLI, web and API, the API's request models).

An entity id becomes part of keys: the lineage key ``metric@entity@period`` (``#own`` marks an
entity's own part), file and URL paths (``/``). So it holds none of those separators, no spaces and
no control characters, and fits the ``entities.id`` column (64 characters). A user name may hold
``@`` (e-mail style names; a user name never enters a lineage key) but otherwise follows the same
rule. Both are matched in full (``re.fullmatch``): ``$`` would also match before a final newline.
"""

from __future__ import annotations

import re

MAX_LENGTH = 64

ENTITY_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.-]{{0,{MAX_LENGTH - 1}}}")
ENTITY_ID_RULE = (
    f"1 to {MAX_LENGTH} letters (A-Z, a-z), digits or _ . -, starting with a letter or digit "
    "(no spaces, @, / or #)"
)

USERNAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.@-]{{0,{MAX_LENGTH - 1}}}")
USERNAME_RULE = (
    f"1 to {MAX_LENGTH} letters (A-Z, a-z), digits or _ . @ -, starting with a letter or digit"
)


def is_entity_id(text: str) -> bool:
    return ENTITY_ID.fullmatch(text) is not None


def is_username(text: str) -> bool:
    return USERNAME.fullmatch(text) is not None
