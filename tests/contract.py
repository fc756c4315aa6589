"""Test helper: check a JSON-ready value against a schema of the register's OpenAPI 3.0 contract.

Two validators of the same schema: `jsonschema_rs` (compiled, about fifteen times faster) decides whether a
value is valid; the reference OAS 3.0 validator (`openapi_schema_validator`) lists the violations when it is
not. Both check JSON Schema draft 4 with OAS 3.0's formats (the fast one calls the reference one's format
checks); tests/test_contract.py shows they agree on valid and broken
documents. A value passes only when the fast validator accepts it; when it does not, the test fails, with
the reference validator's list (or, were that empty, saying the two disagree).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
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


#: The formats the reference validator checks (date, date-time, int32, int64, uuid …), checked alike.
FORMATS = tuple(oas30_format_checker.checkers)
_FAST: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}


def _format_check(name: str) -> Any:
    return lambda value: oas30_format_checker.conforms(value, name)


def fast_validator(spec: dict[str, Any], name: str) -> Any:
    """The compiled validator of components.schemas[name] (built once per spec document and schema)."""
    key = (id(spec), name)
    cached = _FAST.get(key)
    if cached is None or cached[0] is not spec:
        validator = jsonschema_rs.Draft4Validator(
            {**spec, "$ref": f"#/components/schemas/{name}"},
            formats={format_: _format_check(format_) for format_ in FORMATS},
            validate_formats=True,
        )
        cached = _FAST[key] = (spec, validator)
    return cached[1]


def reference_validator(spec: dict[str, Any], schema: str) -> OAS30Validator:
    """The reference OAS 3.0 validator of a schema (a full name or a dotted suffix)."""
    return _validator(spec, resolve_schema_name(spec, schema))


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
    if fast_validator(spec, name).is_valid(instance):
        return
    errors = sorted(
        _validator(spec, name).iter_errors(instance), key=lambda error: list(map(str, error.absolute_path))
    )
    if not errors:
        raise AssertionError(f"{name}: the fast validator refuses what the reference validator accepts")
    lines = [
        f"  at {'/' + '/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in errors[:MAX_REPORTED_ERRORS]
    ]
    if len(errors) > MAX_REPORTED_ERRORS:
        lines.append(f"  ... and {len(errors) - MAX_REPORTED_ERRORS} more")
    raise AssertionError(f"{len(errors)} violation(s) of {name}:\n" + "\n".join(lines))
