"""Linting: every problem of a script at once, each at its ``file:line:col``.

The stages, in order: read the YAML (:func:`scripts_vr.loader.read_script`, which also notes
duplicate keys), validate the schema (every pydantic error, in Dutch), run the cross-field checks
(:mod:`scripts_vr.checks`; the footage checks only with a ``footage`` lookup). All problems are gathered, de-duplicated and sorted by position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from scripts_vr.checks import FootageLookup, check_script
from scripts_vr.errors import Problem, ScriptInvalid, ScriptUnreadable
from scripts_vr.loader import ScriptSource, read_script
from scripts_vr.messages import dutch, keys_at
from scripts_vr.model import VRScript


def lint_source(source: ScriptSource, *, footage: FootageLookup | None = None) -> tuple[VRScript | None, list[Problem]]:
    """The script (None when anything is wrong) and all its problems, sorted by position."""
    problems = list(source.problems)
    script: VRScript | None = None
    try:
        script = VRScript.model_validate(source.data)
    except ValidationError as exc:
        problems += [_schema_problem(source, error) for error in exc.errors(include_url=False)]
    problems += [source.problem(f.loc, f.message) for f in check_script(source.data, base_dir=source.path.parent,
                                                                                 footage=footage)]
    problems = sorted(set(problems))
    return (None if problems else script), problems


def _schema_problem(source: ScriptSource, error: dict) -> Problem:
    kind = error["type"]
    message = dutch(error, lambda parent: keys_at(VRScript, parent))
    return source.problem(error["loc"], message, missing=kind == "missing", at_key=kind == "extra_forbidden")


def lint_file(path: str | Path, *, max_bytes: int | None = None, footage: FootageLookup | None = None) -> list[Problem]:
    """All problems in one script file; raises :class:`ScriptUnreadable` if it is no script at all."""
    return lint_source(read_script(path, max_bytes=max_bytes), footage=footage)[1]


def load_script(path: str | Path, *, max_bytes: int | None = None, footage: FootageLookup | None = None) -> VRScript:
    """The validated script; raises :class:`ScriptUnreadable` or :class:`ScriptInvalid`."""
    source = read_script(path, max_bytes=max_bytes)
    script, problems = lint_source(source, footage=footage)
    if script is None:
        raise ScriptInvalid(source.file, problems)
    return script


@dataclass
class LintResult:
    """What linting one file found."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    script: VRScript | None = None
    unreadable: ScriptUnreadable | None = None

    @property
    def exit_code(self) -> int:
        if self.unreadable is not None:
            return self.unreadable.exit_code
        return 1 if self.problems else 0

    def lines(self) -> list[str]:
        if self.unreadable is not None:
            return [self.unreadable.one_line()]
        if self.problems:
            return [str(problem) for problem in self.problems]
        count = len(self.script.scenes) if self.script else 0
        return [f"{self.file}: in orde ({count} {'scène' if count == 1 else 'scènes'})"]


def lint_files(paths: Iterable[str | Path], *, max_bytes: int | None = None,
               footage: FootageLookup | None = None) -> list[LintResult]:
    """Lint each file; an unreadable file is a result, not an exception."""
    results = []
    for path in paths:
        try:
            source = read_script(path, max_bytes=max_bytes)
        except ScriptUnreadable as exc:
            results.append(LintResult(str(path), unreadable=exc))
            continue
        script, problems = lint_source(source, footage=footage)
        results.append(LintResult(source.file, problems, script))
    return results


def exit_code(results: Iterable[LintResult]) -> int:
    """2 if any file is unreadable, else 1 if any has problems, else 0."""
    return max((result.exit_code for result in results), default=0)
