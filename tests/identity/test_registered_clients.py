"""Registered clients: created with a key pair and an enterprise-like certificate, found again later."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from fiks_folkeregister.identity.clients import ClientRegistry, UnknownClientError

ORGNR = "921234562"


def test_created_client_has_key_and_certificate_for_its_organisation(tmp_path: Path) -> None:
    client = ClientRegistry(tmp_path).create(ORGNR, "Testkommune")

    assert client.key_path == tmp_path / "clients" / client.client_id / "key.pem"
    assert stat.S_IMODE(client.key_path.stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate(client.certificate_path.read_bytes())
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Testkommune"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == ORGNR


def test_client_is_found_by_a_new_registry_on_the_same_directory(tmp_path: Path) -> None:
    created = ClientRegistry(tmp_path).create(ORGNR)

    found = ClientRegistry(tmp_path).get(created.client_id)

    assert found == created
    assert found.certificate_der == created.certificate_der
    assert [client.client_id for client in ClientRegistry(tmp_path).list()] == [created.client_id]


@pytest.mark.parametrize("client_id", ["00000000-0000-0000-0000-000000000000", "../../etc", "", "x"])
def test_unknown_client_is_not_found(tmp_path: Path, client_id: str) -> None:
    ClientRegistry(tmp_path).create(ORGNR)

    with pytest.raises(UnknownClientError):
        ClientRegistry(tmp_path).get(client_id)


def test_create_refuses_a_bad_orgnr(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="9 digits"):
        ClientRegistry(tmp_path).create("1234")
    with pytest.raises(ValueError, match="check digit"):
        ClientRegistry(tmp_path).create("921234567")


def test_a_client_acts_for_its_own_organisation_and_those_that_delegated_to_it(tmp_path: Path) -> None:
    registry = ClientRegistry(tmp_path)
    client = registry.create(ORGNR)
    assert client.delegations == frozenset()

    registry.delegate(client.client_id, "964338531")
    registry.delegate(client.client_id, "964338531")  # twice is once
    found = ClientRegistry(tmp_path).get(client.client_id)

    assert found.delegations == {"964338531"}
    assert found.acts_for(ORGNR) and found.acts_for("964338531")
    assert not found.acts_for("910000004")
    assert registry.revoke_delegation(client.client_id, "964338531").delegations == frozenset()


def test_delegation_refuses_a_bad_orgnr_and_an_unknown_client(tmp_path: Path) -> None:
    registry = ClientRegistry(tmp_path)
    client = registry.create(ORGNR)

    with pytest.raises(ValueError, match="9 digits"):
        registry.delegate(client.client_id, "1234")
    with pytest.raises(UnknownClientError):
        registry.delegate("00000000-0000-0000-0000-000000000000", "964338531")
    with pytest.raises(UnknownClientError):
        registry.delegate("../../etc", "964338531")
