"""Near-duplicate names in the policy register: the same policy registered twice under two
spellings ("反腐败管理办法" / "反腐败制度", "Anti-Corruption Policy" / "anti corruption policy")
makes a report cite two policies where there is one (HKEX general disclosures and SSE No. 14 ask
for *the* policies of each aspect). Names are normalised (``assess/data/governance.yaml``) and
compared: equal normalised names are a clash (refused), similar ones a warning."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from esgledger.assess.governance import rules


@lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """``name`` as compared: NFKC, case folded, without punctuation, white space and a generic
    ending (政策, 制度, 管理办法, Policy, ...)."""
    text = _letters_and_spaces(unicodedata.normalize("NFKC", name).casefold())
    for suffix in rules().policy_suffixes:
        # a Latin ending is a word of its own ("... policy"), never the end of one ("barcode")
        stem = text[: -len(suffix)] if text.endswith(suffix) else ""
        if stem.strip() and (not suffix.isascii() or stem.endswith(" ")):
            text = stem
            break
    return text.replace(" ", "")


def _letters_and_spaces(text: str) -> str:
    """Letters and digits kept; punctuation and white space runs become one space."""
    spaced = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text)
    return " ".join(spaced.split())


def similarity(a: str, b: str) -> float:
    """The similarity (0-1, difflib ratio) of two names after normalisation."""
    return difflib.SequenceMatcher(None, normalise(a), normalise(b)).ratio()


@dataclass(frozen=True)
class NameMatch:
    """A name of a policy that meets a name of another: ``ratio`` 1.0 when they normalise alike."""

    policy_id: str
    name: str
    other_id: str
    other_name: str
    ratio: float

    @property
    def clash(self) -> bool:
        return self.ratio >= 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy_id,
            "name": self.name,
            "other": self.other_id,
            "other_name": self.other_name,
            "ratio": round(self.ratio, 3),
            "clash": self.clash,
        }


def matches(
    policy_id: str, names: Sequence[str], others: Mapping[str, Sequence[str]]
) -> list[NameMatch]:
    """Every name of ``policy_id`` that equals or resembles a name of another policy (``others``:
    policy id -> its names), the closest first."""
    threshold = rules().policy_similarity
    found: dict[str, NameMatch] = {}
    for other_id, other_names in others.items():
        if other_id == policy_id:
            continue
        best: NameMatch | None = None
        for name in names:
            for other_name in other_names:
                if not normalise(name) or not normalise(other_name):
                    continue
                equal = normalise(name) == normalise(other_name)
                ratio = 1.0 if equal else similarity(name, other_name)
                if ratio >= threshold and (best is None or ratio > best.ratio):
                    best = NameMatch(policy_id, name, other_id, other_name, ratio)
        if best is not None:
            found[other_id] = best
    return sorted(found.values(), key=lambda m: (-m.ratio, m.other_id))


def register_matches(policies: Mapping[str, Sequence[str]]) -> list[NameMatch]:
    """The near-duplicate pairs of a whole register (each pair once, the closest first)."""
    pairs: list[NameMatch] = []
    ids = sorted(policies)
    for index, policy_id in enumerate(ids):
        later = {other: policies[other] for other in ids[index + 1 :]}
        pairs.extend(matches(policy_id, policies[policy_id], later))
    return sorted(pairs, key=lambda m: (-m.ratio, m.policy_id, m.other_id))


def names_of(name_en: str, name_zh: str, aliases: Iterable[str]) -> list[str]:
    """Every name a policy goes by, without blanks and repeats."""
    seen: list[str] = []
    for name in (name_en, name_zh, *aliases):
        if name and name not in seen:
            seen.append(name)
    return seen
