"""Test helper: check a JSON-ready value against a schema of the register's OpenAPI 3.0 contract."""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:fiks-folkeregister:register-spec"
MAX_REPORTED_ERRORS = 25


def resolve_schema_name(spec: dict[str, Any], schema: str) -> str:
    """The full name under components.schemas for a full name or a dotted suffix ("Folkeregisterperson")."""
    schemas: dict[str, Any] = spec["components"]["schemas"]
    if schema in schemas:
        return schema
    matches = sorted(name for name in schemas if name.endswith("." + schema))
    if not matches:
        raise AssertionError(
            f"the register's spec has no schema named {schema!r} (nor ending in '.{schema}')"
        )
    if len(matches) > 1:
        listed = ", ".join(matches)
        raise AssertionError(f"schema name {schema!r} is ambiguous; give a longer suffix, one of: {listed}")
    return matches[0]


#: Validators already built, by (id of the spec document, schema name); the spec is kept alongside so its id
#: stays its own. Building one (registry, $ref resolution) costs about half as much as a validation.
_VALIDATORS: dict[tuple[int, str], tuple[dict[str, Any], OAS30Validator]] = {}


def _validator(spec: dict[str, Any], name: str) -> OAS30Validator:
    key = (id(spec), name)
    cached = _VALIDATORS.get(key)
    if cached is None or cached[0] is not spec:
        registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4)
        )
        validator = OAS30Validator(
            {"$ref": f"{SPEC_URI}#/components/schemas/{name}"},
            registry=registry,
            format_checker=oas30_format_checker,
        )
        cached = _VALIDATORS[key] = (spec, validator)
    return cached[1]


def validate_against_spec(spec: dict[str, Any], schema: str, instance: Any) -> None:
    """Raise AssertionError listing every violation when `instance` breaks components.schemas[schema].

    `$ref`s inside the spec are resolved through a referencing registry holding the whole document;
    `format` is checked (date, date-time, int32, int64 ...).
    """
    name = resolve_schema_name(spec, schema)
    errors = sorted(
        _validator(spec, name).iter_errors(instance), key=lambda error: list(map(str, error.absolute_path))
    )
    if not errors:
        return
    lines = [
        f"  at {'/' + '/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in errors[:MAX_REPORTED_ERRORS]
    ]
    if len(errors) > MAX_REPORTED_ERRORS:
        lines.append(f"  ... and {len(errors) - MAX_REPORTED_ERRORS} more")
    raise AssertionError(f"{len(errors)} violation(s) of {name}:\n" + "\n".join(lines))
