"""The HTTP adapter answers exactly as the in-process one, for every resource, over a real socket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fiks_folkeregister.app import build_register
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.upstream.http import HttpUpstream, UpstreamConfigurationError
from fiks_folkeregister.upstream.inprocess import InProcessUpstream
from fiks_folkeregister.upstream.port import Upstream, UpstreamError
from tests.upstream.conftest import Register

MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
UTEN = Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL


@pytest.fixture
def both(register: Register) -> Iterator[tuple[Upstream, HttpUpstream]]:
    embedded = build_register(register.settings)
    http = register.upstream()
    yield InProcessUpstream(embedded.service), http
    http.close()
    embedded.repository.engine.dispose()


def answer(call: Callable[[], dict[str, Any]]) -> tuple[str, Any]:
    try:
        return "ok", call()
    except UpstreamError as error:
        return f"error {error.status}", dict(error.body)


def test_every_resource_answers_the_same_over_http_as_in_process(
    both: tuple[Upstream, HttpUpstream], register: Register
) -> None:
    adult = register.examples["ordinary-adult"][0]
    fortrolig = register.examples["fortrolig"][0]
    dokid = register.dokumentidentifikatorer[adult]
    calls: list[Callable[[Upstream], dict[str, Any]]] = [
        lambda up: up.person(MED, adult, None),
        lambda up: up.person(MED, adult, ["navn", "bostedsadresse"]),
        lambda up: up.person(UTEN, fortrolig, ["bostedsadresse"]),
        lambda up: up.person(MED, "12345678901", None),
        lambda up: up.bulkoppslag(MED, {"foedselsEllerDNummer": [adult, fortrolig]}, ["navn"], False),
        lambda up: up.bulkoppslag(MED, {"foedselsEllerDNummer": [fortrolig, "x", fortrolig]}, None, True),
        lambda up: up.bulkoppslag(MED, {"feil": []}, None, False),
        lambda up: up.arkivperson(MED, dokid, ["navn"]),
        lambda up: up.bulkoppslag_arkiv(MED, {"dokumentidentifikator": [dokid, "ukjent"]}, ["navn"]),
        lambda up: up.soek(MED, {"foedselsdato": [_birth_date(up, adult)], "maksTreff": ["5"]}),
        lambda up: up.soek(MED, {"navn": ["a"], "ukjent": ["1", "2"]}),
        lambda up: up.entydigsoek(
            MED, {"identifikasjonsnummer": [adult], "navn": ["Ola Nordmann"]}, ["navn"]
        ),
    ]
    in_process, http = both

    for call in calls:
        assert answer(lambda call=call: call(http)) == answer(lambda call=call: call(in_process))


def test_a_path_parameter_cannot_leave_the_registers_api(both: tuple[Upstream, HttpUpstream]) -> None:
    """Unquoted, `../../../health` would reach /health and come back as a 200 'document'."""
    _, http = both

    with pytest.raises(UpstreamError) as refused:
        http.person(MED, "../../../health", None)

    assert refused.value.status == 404
    assert refused.value.feilkode == "UKJENT_RESSURS"


def test_http2_without_the_h2_package_is_a_clear_configuration_error(register: Register) -> None:
    try:
        import h2  # noqa: F401
    except ImportError:
        with pytest.raises(UpstreamConfigurationError, match="h2"):
            register.upstream(http2=True)
    else:
        register.upstream(http2=True).close()


def _birth_date(upstream: Upstream, number: str) -> str:
    document = upstream.person(MED, number, ["foedsel"])
    return document["foedsel"][0]["foedselsdato"].replace("-", "")
