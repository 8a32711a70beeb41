"""The words format 2 added come from zorgblik.terms once, with their Dutch labels, and the
schema a form is built from describes every part of the profile in Dutch."""

from __future__ import annotations

from typing import get_args

import pytest

from scripts_vr import VRScript
from zorgblik import terms


@pytest.mark.parametrize(("literal", "labels"), [
    (terms.SupervisorKind, terms.SUPERVISOR_KINDS),
    (terms.LearningPreference, terms.LEARNING_PREFERENCES),
    (terms.SelfAssessment, terms.SELF_ASSESSMENTS),
], ids=["supervisor-kind", "learning-preference", "self-assessment"])
def test_every_value_has_a_label(literal, labels):
    assert list(get_args(literal)) == list(labels)


#: The fields format 2 added, as paths in the JSON schema (definition, field).
NEW_FIELDS = [
    ("Team", "learning_profile"), ("TeamLearningProfile", "description"), ("TeamLearningProfile", "learning_preferences"),
    ("TeamLearningProfile", "learning_now"), ("VRScript", "places"), ("Places", "route"), ("Places", "level"),
    ("Places", "year"), ("Places", "count"), ("Supervision", "supervisor"), ("SupervisorProfile", "kind"),
    ("SupervisorProfile", "learning_preferences"), ("SupervisorProfile", "trained"), ("SupervisorProfile", "training"),
    ("Capacity", "self_assessment"), ("Capacity", "development_point"), ("VRScript", "not_yet_available"),
    ("VRScript", "wishes"),
]


def test_json_schema_describes_every_new_field_in_dutch():
    schema = VRScript.model_json_schema(by_alias=True)
    definitions = {**schema["$defs"], "VRScript": schema}
    for model, name in NEW_FIELDS:
        assert definitions[model]["properties"][name].get("description"), f"{model}.{name}"
    assert schema["properties"]["format"]["const"] == "zorgblik-vr-script/2"
    order = list(schema["properties"])
    assert order.index("team") < order.index("places") < order.index("expectations")  # the profile card's order
    assert order.index("capacities") < order.index("not_yet_available") < order.index("wishes") < order.index("scenes")
