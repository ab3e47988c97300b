"""The scenario format's JSON Schema (scenarios/schema/scenario.schema.json): a valid draft
2020-12 schema that every shipped scenario satisfies, and that describes every key for editors.
Checked with python3-jsonschema, independently of the C++ checker built into healthcast."""

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCHEMA_PATH = SOURCE / "scenarios" / "schema" / "scenario.schema.json"
SCENARIOS = sorted((SOURCE / "scenarios").rglob("*.yaml"))


@pytest.fixture(scope="module")
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_is_valid_draft_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_there_are_scenarios_to_check():
    assert any(p.name == "china_reference.yaml" for p in SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(SOURCE)))
def test_every_scenario_satisfies_the_schema(validator, path):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(scenario), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def walk(node, where="#"):
    """Every sub-schema with its JSON-pointer-like address."""
    if isinstance(node, dict):
        yield where, node
        for key in ("properties", "$defs"):
            for name, sub in node.get(key, {}).items():
                yield from walk(sub, f"{where}/{key}/{name}")
        for key in ("items", "if", "then", "else"):
            if key in node:
                yield from walk(node[key], f"{where}/{key}")
        for key in ("allOf", "anyOf", "oneOf"):
            for i, sub in enumerate(node.get(key, [])):
                yield from walk(sub, f"{where}/{key}/{i}")


def resolve(schema, sub):
    while "$ref" in sub and "description" not in sub:
        sub = schema["$defs"][sub["$ref"].split("/")[-1]]
    return sub


def test_every_property_has_a_description(schema):
    # Editors show these; a property without one is a gap in the format's documentation.
    missing = [f"{where}/properties/{name}" for where, node in walk(schema)
               for name, sub in node.get("properties", {}).items()
               if where.split("/")[-1] not in ("if",) and "/if" not in where
               and "description" not in resolve(schema, sub)]
    assert not missing, missing


def closed(schema, node):
    """Unknown keys are rejected here, or by each alternative (an intervention's kinds)."""
    if node.get("additionalProperties") is False:
        return True
    return "oneOf" in node and all(closed(schema, resolve(schema, alt)) for alt in node["oneOf"])


def test_every_object_rejects_unknown_keys(schema):
    open_objects = [where for where, node in walk(schema)
                    if node.get("type") == "object" and not closed(schema, node)]
    assert not open_objects, open_objects


@pytest.mark.parametrize("kind", ["risk_factor_prevalence", "risk_factor_mean", "transition_rate",
                                  "treatment_coverage", "incidence", "case_fatality",
                                  "other_mortality", "fertility", "migration",
                                  "maternal_mortality"])
def test_an_unknown_key_inside_each_intervention_kind_is_rejected(validator, kind):
    # The documented kinds (docs/scenario-format.md) each have their own keys.
    scenario = {"healthcast": 1, "name": "x",
                "interventions": [{"name": "a", "kind": kind, "start": 2020, "full": 2030,
                                   "no_such_key": 1}]}
    assert not validator.is_valid(scenario)


def test_a_wellformed_intervention_and_target_pass(validator):
    scenario = {"healthcast": 1, "name": "x",
                "interventions": [{"name": "quit", "kind": "transition_rate", "start": 2023,
                                   "full": 2030, "factor": "smoking", "from": "current",
                                   "to": "former_0_4", "multiply": 1.5}],
                "targets": [{"indicator": "life_expectancy", "year": 2030, "comparator": ">=",
                             "value": 79.0}]}
    assert validator.is_valid(scenario), list(validator.iter_errors(scenario))
