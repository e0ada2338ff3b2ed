"""Errors raised on bad input.

Every error the user can cause names the file, the key or column, the year where it applies
and the rule broken, so that the message alone says what to fix. The command line prints the
message (no traceback) and exits 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class InputError(ValueError):
    """Bad input: a file, key or value that breaks a rule.

    Parameters
    ----------
    rule : str
        The rule that was broken, in plain words.
    file : str, optional
        The file the value came from.
    key : str, optional
        The key or column (dotted path such as ``notified.TL``).
    year : int, optional
        The year where the rule applies.
    """

    def __init__(
        self,
        rule: str,
        *,
        file: str | None = None,
        key: str | None = None,
        year: int | None = None,
    ) -> None:
        self.rule = rule
        self.file = None if file is None else str(file)
        self.key = key
        self.year = year
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.key:
            where.append(f"key '{self.key}'")
        if self.year is not None:
            where.append(f"year {self.year}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.rule}" if prefix else self.rule

    def __str__(self) -> str:  # the message is the whole story
        return self.message


class ScenarioError(InputError):
    """A scenario file (or a file it names) breaks a rule of the scenario format."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A suggestion for an unknown key, or an empty string.

    >>> did_you_mean("loss_deadbnd", ["loss_deadband", "call_centre"])
    " (did you mean 'loss_deadband'?)"
    >>> did_you_mean("x", ["X", "s"])
    " (did you mean 'X'?)"
    """
    choices = [str(c) for c in choices]
    same_but_case = [c for c in choices if c.lower() == str(word).lower()]
    if same_but_case:
        return f" (did you mean '{same_but_case[0]}'?)"
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[close[0]]}'?)" if close else ""


def unknown_key_error(
    word: str, choices: Iterable[str], *, file=None, key_prefix: str = "", year=None, cls=None
) -> InputError:
    """The error for an unknown key, listing a close match when there is one."""
    choices = list(choices)
    cls = cls or ScenarioError
    full = f"{key_prefix}{word}"
    rule = (
        f"unknown key{did_you_mean(word, choices)}; allowed: {', '.join(sorted(map(str, choices)))}"
    )
    return cls(rule, file=file, key=full, year=year)
