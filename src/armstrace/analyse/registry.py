"""The one contract an analysis rule implements, and the catalogue of rules.

A rule is registered under a versioned name (`ally-arms-adversary/1`). Once a
name is taken it is never replaced: a finding that cites `…/1` must always mean
the same logic, so a changed rule is registered as `…/2` next to the old one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from armstrace.kb.model import KnowledgeBase
from armstrace.records import Finding, Transfer

NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[1-9][0-9]*$")


class Rule(Protocol):
    """What the analysis needs from a rule: a stable name, words for people, and `run`."""

    @property
    def name(self) -> str:
        """Versioned name, `kebab-case/N`."""
        ...

    @property
    def title(self) -> str:
        """A short title for tables and reports."""
        ...

    @property
    def doc(self) -> str:
        """One paragraph: when the rule fires, what it ignores, how it sets severity."""
        ...

    def run(self, transfers: Sequence[Transfer], kb: KnowledgeBase) -> list[Finding]:
        """Findings over the given transfers and knowledge base; must not mutate either."""
        ...


class RuleError(Exception):
    """A problem with a rule name, worded for the person who typed it."""


class DuplicateRuleError(RuleError):
    pass


class UnknownRuleError(RuleError, KeyError):
    def __str__(self) -> str:  # KeyError would wrap the sentence in quotes
        return str(self.args[0]) if self.args else ""


R = TypeVar("R", bound=Rule)


def _version(name: str) -> int:
    return int(name.rsplit("/", 1)[1])


class Registry:
    """A catalogue of rules by versioned name; a name, once registered, is never replaced."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rule: R) -> R:
        """Add a rule; returns it so that `register(MyRule())` can sit at module level."""
        name = rule.name
        if not NAME_PATTERN.match(name):
            raise RuleError(
                f"The rule name {name!r} is not valid: use lower-case words joined by hyphens and a "
                "version, such as 'ally-arms-adversary/1'."
            )
        if name in self._rules:
            raise DuplicateRuleError(
                f"A rule named {name!r} is already registered. Registered rules are never replaced: "
                f"give the changed rule a new version, such as "
                f"'{name.rsplit('/', 1)[0]}/{_version(name) + 1}'."
            )
        self._rules[name] = rule
        return rule

    def rules(self) -> dict[str, Rule]:
        """A copy of the catalogue, sorted by name."""
        return dict(sorted(self._rules.items()))

    def get(self, name: str) -> Rule:
        """The rule with this exact name, or the newest version when the name has no version."""
        if name in self._rules:
            return self._rules[name]
        if "/" not in name:
            versions = [n for n in self._rules if n.rsplit("/", 1)[0] == name]
            if versions:
                return self._rules[max(versions, key=_version)]
        known = ", ".join(sorted(self._rules)) or "none"
        raise UnknownRuleError(f"There is no analysis rule named {name!r}. Known rules: {known}.")


REGISTRY = Registry()
_builtins_loaded = False


def _load_builtin_rules() -> None:
    """Import the bundled rules on first use, so that importing the registry stays cheap and acyclic."""
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        importlib.import_module("armstrace.analyse.rules")


def register(rule: R) -> R:
    """Add a rule to the project-wide catalogue."""
    return REGISTRY.register(rule)


def rules() -> dict[str, Rule]:
    """Every registered rule (the bundled ones included), by name."""
    _load_builtin_rules()
    return REGISTRY.rules()


def get(name: str) -> Rule:
    """One registered rule by name; raises `UnknownRuleError` with the known names."""
    _load_builtin_rules()
    return REGISTRY.get(name)
