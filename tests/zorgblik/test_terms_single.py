"""One name per idea: the shared vocabulary is declared once, in zorgblik/terms.py, and the model,
the schemas, the catalog and the pages import it (issue #18). A copy elsewhere drifts: the footage
page looked up "dual_fisheye" while capture stores "dual-fisheye", so its Dutch label never showed."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from zorgblik import terms

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("zorgblik", "scripts_vr", "catalog", "capture", "render", "headset_service", "cli")
TERMS_FILE = ROOT / "zorgblik" / "terms.py"

#: Each Literal of terms with the dict that gives its Dutch labels: the same words, in the same order.
PAIRS = [(terms.UseContext, terms.USE_CONTEXTS), (terms.Route, terms.ROUTES), (terms.MboLevel, terms.MBO_LEVELS),
         (terms.Language, terms.LANGUAGES), (terms.StaffRole, terms.STAFF_ROLES),
         (terms.FilmedRole, terms.FILMED_ROLES), (terms.ConsentStatus, terms.CONSENT_STATUSES),
         (terms.MediaKind, terms.MEDIA_KINDS), (terms.StereoMode, terms.STEREO_MODES),
         (terms.SessionCommand, terms.SESSION_COMMANDS), (terms.CareCategory, terms.CARE_CATEGORIES),
         (terms.MatchCriterion, terms.MATCH_CRITERIA),
         (terms.SupervisorKind, terms.SUPERVISOR_KINDS), (terms.CubemapLayout, terms.CUBEMAP_LAYOUTS), (terms.LearningPreference, terms.LEARNING_PREFERENCES),
         (terms.SelfAssessment, terms.SELF_ASSESSMENTS)]


def _label_dicts() -> dict[str, dict]:
    """The dicts of terms that give words their labels (name -> dict)."""
    return {name: value for name, value in vars(terms).items()
            if name.isupper() and isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values())}


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if p != TERMS_FILE)


def _strings(nodes) -> list[str] | None:
    """The string constants of ``nodes``, or None when any is something else."""
    values = [n.value if isinstance(n, ast.Constant) and isinstance(n.value, str) else None for n in nodes]
    return None if not values or None in values else values


def _copies(tree: ast.AST) -> list[tuple[int, str]]:
    """Where ``tree`` spells words of terms again: a dict literal giving labels that terms gives
    (two or more of the same pairs), any labels for all three use contexts, or a tuple, set, list
    or Literal[...] of exactly the words of a terms dict (of three or more)."""
    found = []
    dicts = _label_dicts()
    word_sets = {name: frozenset(words) for name, words in dicts.items() if len(words) > 2}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = _strings(node.keys) if None not in node.keys else None
            values = _strings(node.values)
            if keys is None or values is None:
                continue
            pairs = set(zip(keys, values))
            for name, labels in dicts.items():
                if len(pairs & set(labels.items())) >= 2:
                    found.append((node.lineno, f"labels of terms.{name}"))
            if set(terms.USE_CONTEXTS) <= set(keys):
                found.append((node.lineno, "labels for the use contexts (terms.USE_CONTEXTS)"))
        elif isinstance(node, (ast.Tuple, ast.Set, ast.List)):  # Literal["a", "b"] holds a Tuple too
            words = _strings(node.elts)
            for name, word_set in word_sets.items():
                if words is not None and frozenset(words) == word_set:
                    found.append((node.lineno, f"the words of terms.{name}"))
    return found


@pytest.mark.parametrize("literal,labels", PAIRS, ids=lambda x: "" if isinstance(x, dict) else str(get_args(x)[0]))
def test_each_literal_has_its_labels(literal, labels):
    assert get_args(literal) == tuple(labels)


def test_the_model_and_the_schemas_use_the_same_words():
    from headset_service import schemas
    from scripts_vr import model

    assert model.UseContext is terms.UseContext and schemas.UseContext is terms.UseContext
    assert schemas.Role is terms.StaffRole


def test_what_is_said_per_context_names_every_context_and_staff_roles_only():
    for per_context in (terms.CONTEXT_ROLES, terms.CONTEXT_ROUTES, terms.WAIT_FOR_STAFF_BY_DEFAULT):
        assert list(per_context) == list(terms.USE_CONTEXTS)
    assert set().union(*terms.CONTEXT_ROLES.values()) <= set(terms.STAFF_ROLES)
    assert set(get_args(terms.Projection)) <= set(terms.PROJECTIONS)


def test_no_module_spells_the_vocabulary_again():
    copies = [f"{path.relative_to(ROOT)}:{line}: {what}"
              for path in _sources() for line, what in _copies(ast.parse(path.read_text(encoding="utf-8")))]
    assert copies == [], "import these from zorgblik.terms instead"


def test_every_projection_capture_stores_has_its_label():
    from capture.classify import DUAL_FISHEYE, EQUIRECT, FULL, PARTIAL, VR180, Classification

    stored = {Classification(EQUIRECT, "mono", 1.0, (), layout).catalog_projection
              for layout in (FULL, PARTIAL, VR180, DUAL_FISHEYE)}
    assert stored == set(get_args(terms.Projection)) and stored <= set(terms.PROJECTIONS)
