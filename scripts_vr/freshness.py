"""Which volatile facts are past their review date, or soon will be, and who must check them.

:func:`volatile_facts` walks a validated script and yields every :class:`~scripts_vr.model.Volatile`
with its path of YAML keys. :func:`freshness` does that for many files and returns a
:class:`FreshnessReport` grouped by owner (the fact's own ``owner``, else the script's owner).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from scripts_vr.errors import ScriptError, ScriptInvalid
from scripts_vr.lint import lint_source
from scripts_vr.loader import Loc, format_path, read_script
from scripts_vr.model import Volatile

Status = Literal["verlopen", "binnenkort"]
SCRIPT_SUFFIXES = (".yaml", ".yml")


def volatile_facts(node: Any, path: Loc = ()) -> Iterator[tuple[Loc, Volatile]]:
    """Every volatile fact below ``node`` (a script or any part of one), with its YAML path."""
    if isinstance(node, Volatile):
        yield path, node
    elif isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            yield from volatile_facts(getattr(node, name), path + (info.alias or name,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from volatile_facts(item, path + (index,))


@dataclass(frozen=True)
class DueFact:
    """A volatile fact that is past due or due within the window."""

    status: Status
    review_by: date
    owner: str
    file: str
    line: int
    path: str
    value: Any

    def line_text(self) -> str:
        value = str(self.value)
        value = value if len(value) <= 60 else value[:59] + "…"
        return f"{self.status:<10}  {self.review_by.isoformat()}  {self.file}:{self.line}  {self.path}: {value}"


@dataclass
class FreshnessReport:
    today: date
    days: int
    scripts: int = 0
    facts: int = 0
    due: list[DueFact] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def by_owner(self) -> dict[str, list[DueFact]]:
        groups: dict[str, list[DueFact]] = {}
        for fact in sorted(self.due, key=lambda f: (f.owner.casefold(), f.review_by, f.file, f.line)):
            groups.setdefault(fact.owner, []).append(fact)
        return groups

    def count(self, status: Status) -> int:
        return sum(1 for fact in self.due if fact.status == status)

    def lines(self) -> list[str]:
        out: list[str] = []
        for owner, facts in self.by_owner().items():
            out.append(f"{owner}:")
            out += [f"  {fact.line_text()}" for fact in facts]
        out += self.unreadable
        scripts = "1 script" if self.scripts == 1 else f"{self.scripts} scripts"
        facts = "1 wisselend feit" if self.facts == 1 else f"{self.facts} wisselende feiten"
        summary = (f"samenvatting: {scripts}, {facts}; {self.count('verlopen')} verlopen, "
                   f"{self.count('binnenkort')} binnenkort (binnen {self.days} dagen na {self.today.isoformat()})")
        if self.unreadable:
            summary += f"; {len(self.unreadable)} overgeslagen"
        return out + [summary]


def find_scripts(paths: Iterable[str | Path]) -> list[Path]:
    """The script files among ``paths``; a folder stands for its ``*.yaml``/``*.yml`` files, recursively.

    Of a folder only the regular files inside it count: a FIFO would make reading wait forever,
    and a link to a file elsewhere would put that file on the staff pages.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = path.resolve()
            found += sorted(p for p in path.rglob("*")
                            if p.suffix in SCRIPT_SUFFIXES and p.is_file() and p.resolve().is_relative_to(inside))
        else:
            found.append(path)
    return found


def freshness(paths: Iterable[str | Path], *, today: date | None = None, days: int | None = None,
              max_bytes: int | None = None) -> FreshnessReport:
    """Check the volatile facts of every script among ``paths`` (files or folders)."""
    if days is None:
        from zorgblik.settings import Settings

        days = Settings.from_env().freshness_days
    report = FreshnessReport(today=today or date.today(), days=days)
    horizon = report.today + timedelta(days=days)
    for path in find_scripts(paths):
        try:
            source = read_script(path, max_bytes=max_bytes)
            script, problems = lint_source(source)
            if script is None:
                raise ScriptInvalid(source.file, problems)
        except ScriptError as exc:
            report.unreadable.append(exc.one_line())
            continue
        report.scripts += 1
        for loc, fact in volatile_facts(script):
            report.facts += 1
            status = _status(fact.review_by, report.today, horizon)
            if status is not None:
                _, line, _ = source.locate(loc)
                report.due.append(DueFact(status, fact.review_by, fact.owner or script.owner.name, source.file,
                                          line, format_path(loc), fact.value))
    return report


def _status(review_by: date, today: date, horizon: date) -> Status | None:
    if review_by < today:
        return "verlopen"
    if review_by <= horizon:
        return "binnenkort"
    return None


__all__ = ["DueFact", "FreshnessReport", "find_scripts", "freshness", "volatile_facts"]
