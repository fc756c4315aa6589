"""The register's use cases: lookups of current and archived person documents, minimised per request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson

from fiks_folkeregister.domain.beskyttelse import graded_as_now, relatives_needed
from fiks_folkeregister.domain.dokument import current_identifier
from fiks_folkeregister.domain.identitetsnummer import is_valid
from fiks_folkeregister.domain.informasjonselementer import (
    PartRequest,
    Rettighetspakke,
    UnknownPartError,
    parse_parts,
)
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS, minimise, plan
from fiks_folkeregister.domain.soekeparametre import (
    CONFIDENTIAL_PARAMETERS,
    MAX_HITS,
    parse_entydigsoek,
    parse_soek,
)
from fiks_folkeregister.register.errors import RegisterError, bad_request, not_found, parsed
from fiks_folkeregister.register.hendelser.log import EventLog
from fiks_folkeregister.register.hendelser.service import Hendelser
from fiks_folkeregister.register.repository import PersonRepository
from fiks_folkeregister.register.uttrekk.service import Uttrekk

MAX_BULK = 1000


def part_request(parts: Sequence[str] | None) -> PartRequest:
    """Parse `part` parameters, or answer 400 naming every unknown part."""
    try:
        return parse_parts(parts)
    except UnknownPartError as error:
        raise bad_request("UGYLDIG_PART", str(error), ukjenteParter=", ".join(error.unknown)) from error


def _checked_identifier(value: Any) -> str:
    if not isinstance(value, str) or not is_valid(value):
        raise bad_request(
            "UGYLDIG_IDENTIFIKATOR",
            f"'{value}' is not a valid fødselsnummer or d-nummer (11 digits with valid check digits)",
        )
    return value


def _id_list(body: Any, field: str, checker: Any = None) -> list[str]:
    """The list of ids in a bulk body: present, non-empty, at most 1000, all strings."""
    if not isinstance(body, dict) or field not in body:
        raise bad_request(
            "UGYLDIG_FORESPOERSEL", f"The request body must be a JSON object with the list '{field}'"
        )
    values = body[field]
    if not isinstance(values, list) or not values:
        raise bad_request("UGYLDIG_FORESPOERSEL", f"'{field}' must be a non-empty list")
    if len(values) > MAX_BULK:
        raise bad_request(
            "FOR_MANGE_IDENTIFIKATORER", f"At most {MAX_BULK} ids per request; got {len(values)}"
        )
    if not all(isinstance(value, str) for value in values):
        raise bad_request("UGYLDIG_FORESPOERSEL", f"Every element of '{field}' must be a string")
    if checker is not None:
        for value in values:
            checker(value)
    return values


class RegisterService:
    """Lookups as the national register answers them, for one rights package at a time.

    `hendelser` (the event feed and event documents) and `uttrekk` (extract jobs) are their own use-case
    objects over the same database; they are made from the repository's engine unless given.
    """

    def __init__(
        self, repository: PersonRepository, hendelser: Hendelser | None = None, uttrekk: Uttrekk | None = None
    ) -> None:
        self._repository = repository
        log = EventLog(repository.engine)
        self.hendelser = hendelser or Hendelser(log)
        self.uttrekk = uttrekk or Uttrekk(repository.engine, self.hendelser.log)

    def person(
        self, identifikator: str, pakke: Rettighetspakke, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        request = part_request(parts)
        _checked_identifier(identifikator)
        found = self._repository.current_documents([identifikator]).get(identifikator)
        if found is None:
            raise not_found("PERSON_IKKE_FUNNET", f"No person with identity number {identifikator}")
        return minimise(_current(found.dokument), pakke, request)

    def bulkoppslag(
        self, body: Any, pakke: Rettighetspakke, parts: Sequence[str] | None, som_bestilt: bool
    ) -> dict[str, Any]:
        return {"oppslag": self._bulk_entries(body, pakke, parts, som_bestilt, _as_is)}

    def bulkoppslag_each(
        self,
        body: Any,
        pakke: Rettighetspakke,
        parts: Sequence[str] | None,
        som_bestilt: bool,
        finish: Callable[[dict[str, Any]], Any],
    ) -> dict[str, Any]:
        """`bulkoppslag` with each minimised document handed to `finish` as soon as it is made, and the
        entry holding what `finish` gives back (a caller filters and serialises it there, so the parsed
        documents never live together)."""
        return {"oppslag": self._bulk_entries(body, pakke, parts, som_bestilt, finish)}

    def bulkoppslag_json(
        self, body: Any, pakke: Rettighetspakke, parts: Sequence[str] | None, som_bestilt: bool
    ) -> bytes:
        """`bulkoppslag` serialised, for the HTTP API: about half the CPU of serialising `bulkoppslag`.

        Each document is parsed, minimised and serialised on its own and dropped at once, so the 1000
        parsed documents never live together (which made the garbage collector walk them again and again).
        """
        return orjson.dumps({"oppslag": self._bulk_entries(body, pakke, parts, som_bestilt, _serialised)})

    def _bulk_entries(
        self,
        body: Any,
        pakke: Rettighetspakke,
        parts: Sequence[str] | None,
        som_bestilt: bool,
        finish: Callable[[dict[str, Any]], Any],
    ) -> list[dict[str, Any]]:
        """The `oppslag` entries; `finish` turns each minimised document into what the entry holds."""
        minimisation = plan(pakke, part_request(parts))  # decided once for every document
        identifiers = _id_list(body, "foedselsEllerDNummer")
        # A malformed number is answered like an unknown one (in place with somBestilt, else left out):
        # one typo does not refuse the other 999.
        found = self._repository.current_documents([n for n in identifiers if is_valid(n)])
        oppslag: list[dict[str, Any]] = []
        if som_bestilt:
            for number in identifiers:
                stored = found.get(number)
                if not is_valid(number):
                    oppslag.append(
                        _feil(
                            number, "Ugyldig fødsels- eller d-nummer (11 siffer med gyldige kontrollsiffer)"
                        )
                    )
                elif stored is None:
                    oppslag.append(_feil(number, "Fant ikke person med dette fødsels- eller d-nummeret"))
                elif not stored.identifier_is_current:
                    oppslag.append(
                        _feil(
                            number,
                            f"Identifikatoren er utgått; personen har nå {stored.foedsels_eller_d_nummer}",
                        )
                    )
                else:
                    document = minimisation.apply(_current(stored.dokument))
                    oppslag.append(_treff(number, finish(document)))
            return oppslag
        seen: set[str] = set()
        for number in identifiers:
            stored = found.get(number)
            if stored is None or stored.foedsels_eller_d_nummer in seen:
                continue
            seen.add(stored.foedsels_eller_d_nummer)
            document = minimisation.apply(_current(stored.dokument))
            oppslag.append(_treff(stored.foedsels_eller_d_nummer, finish(document)))
        return oppslag

    def arkivperson(
        self, dokumentidentifikator: str, pakke: Rettighetspakke, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        request = part_request(parts)
        found = self._archived([dokumentidentifikator]).get(dokumentidentifikator)
        if found is None:
            raise not_found(
                "DOKUMENT_IKKE_FUNNET", f"No archived person document with id {dokumentidentifikator}"
            )
        return minimise(found, pakke, request)

    def bulkoppslag_arkiv(
        self, body: Any, pakke: Rettighetspakke, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        request = part_request(parts)
        ids = _id_list(body, "dokumentidentifikator")
        found = self._archived(ids)
        oppslag = []
        for dokid in dict.fromkeys(ids):
            document = found.get(dokid)
            if document is None:
                continue
            minimised = minimise(document, pakke, request)
            entry = _treff(current_identifier(document), minimised)
            entry["dokumentidentifikator"] = dokid
            oppslag.append(entry)
        return {"oppslag": oppslag}

    def _archived(self, ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """Archived versions as they may be given out: graded by the person's current protection (and, at a
        place the current document no longer holds, by the relatives' current documents, read for those
        versions only)."""
        found: dict[str, tuple[Any, Any]] = {}
        wanted: dict[str, None] = {}
        for dokid, version in self._repository.archived_documents(ids).items():
            document = orjson.loads(version.dokument)
            current = document if version.gjeldende == version.dokument else orjson.loads(version.gjeldende)
            found[dokid] = (document, current)
            wanted.update(dict.fromkeys(relatives_needed(document, current)))
        relatives = _current_by_number(self._repository, wanted)
        return {
            dokid: graded_as_now(
                document,
                current,
                [relatives[n] for n in relatives_needed(document, current) if n in relatives],
            )
            for dokid, (document, current) in found.items()
        }

    def soek(self, kriterier: Mapping[str, list[str]], pakke: Rettighetspakke) -> dict[str, Any]:
        """`personer/soek`: identity numbers of the persons matching; 400 when more than 10 000 match."""
        criteria = parsed(lambda: parse_soek(kriterier))
        found = self._repository.find_persons(criteria, VISIBLE_ADDRESS_GRADINGS[pakke], MAX_HITS + 1)
        if len(found) > MAX_HITS:
            raise bad_request(
                "FOR_MANGE_TREFF",
                f"The search matches more than {MAX_HITS} persons; narrow it with more criteria (a fuller "
                "navn, foedselsdato or foedselsaarFraOgMed/TilOgMed, kommunenummer or postnummer, kjoenn)",
            )
        return {"foedselsEllerDNummer": found[: criteria.maks_treff]}

    def entydigsoek(
        self, kriterier: Mapping[str, list[str]], pakke: Rettighetspakke, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        """`personer/entydigsoek`: the one person the identifying criteria match, minimised; else 404."""
        request = part_request(parts)
        criteria = parsed(lambda: parse_entydigsoek(kriterier))
        confidential = [name for name in CONFIDENTIAL_PARAMETERS if name in kriterier]
        if confidential and pakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL:
            raise RegisterError(
                403,
                "MANGLER_TILGANG",
                f"{', '.join(confidential)} search confidential information that {pakke.value} may not see",
                {"parametere": ", ".join(confidential)},
            )
        found = self._repository.find_persons(criteria, VISIBLE_ADDRESS_GRADINGS[pakke], 2)
        stored = self._repository.current_documents(found[:1]).get(found[0]) if len(found) == 1 else None
        if stored is None:
            raise RegisterError(
                404,
                "INGEN_ENTYDIG_TREFF",
                "No unambiguous match: the criteria match no person or more than one",
                {"treff": "flere" if len(found) > 1 else "ingen"},  # so a case worker knows what to add
            )
        return minimise(_current(stored.dokument), pakke, request)


def _current(raw: bytes) -> Mapping[str, Any]:
    """A current document as it may be given out: graded by itself (history at a protected place too)."""
    document = orjson.loads(raw)
    return graded_as_now(document, document)


def _current_by_number(repository: PersonRepository, numbers: Iterable[str]) -> dict[str, Mapping[str, Any]]:
    """Current documents by each of the identity numbers asked for (a relative may be named by an old one)."""
    return {n: orjson.loads(stored.dokument) for n, stored in repository.current_documents(numbers).items()}


def _as_is(document: dict[str, Any]) -> dict[str, Any]:
    return document


def _serialised(document: dict[str, Any]) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(document))


def _treff(number: str, document: Any) -> dict[str, Any]:
    return {"foedselsEllerDNummer": number, "folkeregisterperson": document}


def _feil(number: str, message: str) -> dict[str, Any]:
    return {"foedselsEllerDNummer": number, "feilmelding": {"feilmelding": message}}


__all__ = ["MAX_BULK", "RegisterError", "RegisterService", "part_request"]
