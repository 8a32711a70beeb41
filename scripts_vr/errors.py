"""What can go wrong with a VR script, and where.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`.

A :class:`Problem` is one positioned complaint, printed as ``file:line:col: field.path: message``.
"""

from __future__ import annotations

from dataclasses import dataclass

from zorgblik.errors import ZorgblikError


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a script, at a 1-based line and column."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def _where(file: str, line: int | None, col: int | None) -> str:
    if line is None:
        return file
    return f"{file}:{line}:{col}" if col is not None else f"{file}:{line}"


class ScriptError(ZorgblikError):
    """A VR script cannot be used."""


class ScriptUnreadable(ScriptError):
    """The file cannot be read as a VR script at all: missing, binary, not UTF-8, empty, too large,
    not YAML, unsafe tags, or a top level that is not a mapping."""

    exit_code = 2

    def __init__(self, message: str, *, file: str, line: int | None = None, col: int | None = None,
                 hint: str | None = None):
        super().__init__(message, where=_where(file, line, col), hint=hint)
        self.file, self.line, self.col = file, line, col


class ScriptInvalid(ScriptError):
    """The file is YAML, but not a valid VR script; :attr:`problems` lists everything wrong."""

    exit_code = 1

    def __init__(self, file: str, problems: list[Problem]):
        count = len(problems)
        first = ""
        if problems:
            p = problems[0]
            first = f"; eerste op regel {p.line}: {p.path}: {p.message}"
        super().__init__(f"{count} {'fout' if count == 1 else 'fouten'} in het VR-script{first}", where=file,
                         hint="zorgblik script lint toont ze allemaal")
        self.file = file
        self.problems = problems


class ScriptExists(ScriptError):
    """Writing a new script would overwrite an existing file."""
