"""The lookup log's hash chain and signed checkpoints: the canonical encodings and the checks (no I/O).

Each organisation's records form one chain (records without an organisation form the chain ``""``):

    innholdshash(n) = SHA-256(canonical(record n))
    hash(n)         = SHA-256(hash(n-1) || innholdshash(n)),   hash(0) = 32 zero bytes

``canonical`` is the record as JSON with sorted keys and no whitespace (UTF-8), holding every field of the
record, its chain and its sequence number (1, 2, 3 … per chain, without gaps). A field added to the record
later joins the encoding only when it is set, so the hashes of older records stay valid: the principal
(`prinsipal`, only when it is a `person`), `personFoedselsnummer`, `personNavn`, `saksnummer`, `formaal`.

A checkpoint signs (Ed25519) a chain's sequence number and hash at a moment; `art` is ``periodisk`` (every
N records or M minutes, and at shutdown) or ``sletting`` (written when old records are pruned: the anchor
the remaining chain starts from). Only a ``sletting`` checkpoint may stand in for the records before it.

`ChainCheck` walks one chain link by link, from the database or from an export, and names the first link
that does not hold.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT = "fiks-folkeregister/oppslagslogg/v1"
GENESIS = bytes(32)
PERIODISK, SLETTING = "periodisk", "sletting"
#: Who made a request: a system (an integration, through the API) or a person (a case worker, in the portal).
INTEGRASJON, PERSON = "integrasjon", "person"


def timestamp(moment: datetime) -> str:
    """A moment as the chain writes it: UTC, microseconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The one encoding hashed and signed: sorted keys, no whitespace, UTF-8 (any JSON a caller sent)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_fields(
    *,
    kjede: str,
    sekvens: int,
    tidspunkt: datetime,
    request_id: str,
    orgnr: str | None,
    rolle_id: Any,
    integrasjon_id: Any,
    klient_orgnr: str | None,
    ressurs: str,
    parametre: Mapping[str, Any],
    personer: Sequence[str],
    utfall: str,
    status: int,
    feilkode: str | None,
    kanal: str,
    prinsipal: str = INTEGRASJON,
    person_foedselsnummer: str | None = None,
    person_navn: str | None = None,
    saksnummer: str | None = None,
    formaal: str | None = None,
) -> dict[str, Any]:
    """What a record's content hash covers (v1, and the fields added since, each only when set).

    The principal (a person in the portal, with identity number and name) and the case reference joined
    later: a record of an integration without a case reference encodes exactly as before, so records
    written before these fields existed still verify, and setting any of them on such a record breaks it.
    """
    fields = {
        "kjede": kjede,
        "sekvens": sekvens,
        "tidspunkt": timestamp(tidspunkt),
        "requestId": request_id,
        "orgnr": orgnr,
        "rolleId": str(rolle_id) if rolle_id is not None else None,
        "integrasjonId": str(integrasjon_id) if integrasjon_id is not None else None,
        "klientOrgnr": klient_orgnr,
        "ressurs": ressurs,
        "parametre": dict(parametre),
        "personer": list(personer),
        "utfall": utfall,
        "status": status,
        "feilkode": feilkode,
        "kanal": kanal,
    }
    if prinsipal != INTEGRASJON:
        fields["prinsipal"] = prinsipal
    added = {
        "personFoedselsnummer": person_foedselsnummer,
        "personNavn": person_navn,
        "saksnummer": saksnummer,
        "formaal": formaal,
    }
    fields.update({name: value for name, value in added.items() if value is not None})
    return fields


def fields_of(
    source: Any, *, kjede: str, sekvens: int, tidspunkt: datetime, personer: Sequence[str]
) -> dict[str, Any]:
    """`record_fields` of an audit record or a stored row (both name their columns as the record does)."""
    return record_fields(
        kjede=kjede,
        sekvens=sekvens,
        tidspunkt=tidspunkt,
        request_id=source.request_id,
        orgnr=source.orgnr,
        rolle_id=source.rolle_id,
        integrasjon_id=source.integrasjon_id,
        klient_orgnr=source.klient_orgnr,
        ressurs=source.ressurs,
        parametre=source.parametre,
        personer=personer,
        utfall=source.utfall,
        status=source.status,
        feilkode=source.feilkode,
        kanal=source.kanal,
        prinsipal=source.prinsipal,
        person_foedselsnummer=source.person_foedselsnummer,
        person_navn=source.person_navn,
        saksnummer=source.saksnummer,
        formaal=source.formaal,
    )


def content_hash(fields: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(canonical(fields)).digest()


def link(previous: bytes, innholdshash: bytes) -> bytes:
    """The chain value of a record from the one before it and its own content."""
    return hashlib.sha256(previous + innholdshash).digest()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: chain `kjede` had `sekvens` records ending in `hash` at `tidspunkt`."""

    kjede: str
    sekvens: int
    hash: str  # hex
    tidspunkt: datetime
    art: str
    noekkel_id: str
    signatur: str  # base64

    def message(self) -> bytes:
        return checkpoint_message(self.kjede, self.sekvens, self.hash, self.tidspunkt, self.art)

    def to_json(self) -> dict[str, Any]:
        return {
            "kjede": self.kjede,
            "sekvens": self.sekvens,
            "hash": self.hash,
            "tidspunkt": timestamp(self.tidspunkt),
            "art": self.art,
            "noekkelId": self.noekkel_id,
            "signatur": self.signatur,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Checkpoint:
        return cls(
            kjede=str(data["kjede"]),
            sekvens=int(data["sekvens"]),
            hash=str(data["hash"]),
            tidspunkt=datetime.fromisoformat(str(data["tidspunkt"])),
            art=str(data["art"]),
            noekkel_id=str(data["noekkelId"]),
            signatur=str(data["signatur"]),
        )


def checkpoint_message(kjede: str, sekvens: int, hash_hex: str, tidspunkt: datetime, art: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    return canonical(
        {
            "format": FORMAT,
            "kjede": kjede,
            "sekvens": sekvens,
            "hash": hash_hex,
            "tidspunkt": timestamp(tidspunkt),
            "art": art,
        }
    )


def signature_text(signature: bytes) -> str:
    return base64.b64encode(signature).decode("ascii")


def signature_bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


#: Checks an Ed25519 signature over a message: (message, signature) -> valid.
SignatureCheck = Callable[[bytes, bytes], bool]


@dataclass(frozen=True, slots=True)
class Finding:
    """The first thing in a chain that does not hold."""

    kjede: str
    sekvens: int | None
    reason: str
    record: str = ""  # how to find the record (database id, request id), if there is one

    def __str__(self) -> str:
        where = f"record {self.sekvens}" if self.sekvens is not None else "the chain"
        name = self.kjede or "(no organisation)"
        extra = f" ({self.record})" if self.record else ""
        return f"chain {name}: {where}{extra}: {self.reason}"


@dataclass
class ChainSummary:
    kjede: str
    records: int = 0
    first: int | None = None
    last: int = 0
    checkpoints: int = 0
    signed_up_to: int = 0
    finding: Finding | None = None


class ChainCheck:
    """Walks one chain in sequence order; the first failure is kept in `summary.finding`, later ones ignored.

    Feed it the signed checkpoints first (`checkpoints`), then each link (`record`), then `finish`.
    """

    def __init__(self, kjede: str, noekkel_id: str, verify: SignatureCheck) -> None:
        self.summary = ChainSummary(kjede)
        self._key_id = noekkel_id
        self._verify = verify
        self._signed: dict[int, Checkpoint] = {}
        self._anchors: dict[int, Checkpoint] = {}  # the `sletting` checkpoints
        self._previous: bytes | None = None
        self._expected = 1

    @property
    def failed(self) -> bool:
        return self.summary.finding is not None

    def _fail(self, sekvens: int | None, reason: str, record: str = "") -> None:
        if self.summary.finding is None:
            self.summary.finding = Finding(self.summary.kjede, sekvens, reason, record)

    def checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        for checkpoint in sorted(checkpoints, key=lambda c: c.sekvens):
            if checkpoint.kjede != self.summary.kjede or checkpoint.noekkel_id != self._key_id:
                self._fail(
                    checkpoint.sekvens,
                    f"the checkpoint at this record is signed by another key ({checkpoint.noekkel_id}), "
                    f"not {self._key_id}",
                )
                continue
            try:
                valid = self._verify(checkpoint.message(), signature_bytes(checkpoint.signatur))
            except ValueError:
                valid = False
            if not valid:
                self._fail(
                    checkpoint.sekvens,
                    "the signature of the checkpoint at this record does not verify (it was changed or forged)",
                )
                continue
            self._signed[checkpoint.sekvens] = checkpoint
            if checkpoint.art == SLETTING:
                self._anchors[checkpoint.sekvens] = checkpoint
        self.summary.checkpoints = len(self._signed)
        if self._signed:
            self.summary.signed_up_to = max(self._signed)

    def start(self, first_sekvens: int, previous_hash: bytes | None = None) -> None:
        """Where the records begin: 1 (from zero), after the newest pruning anchor, or (an export) after
        the given chain value."""
        if first_sekvens == 1:
            self._expected, self._previous = 1, GENESIS
            return
        if previous_hash is not None:
            self._expected, self._previous = first_sekvens, previous_hash
            return
        anchors = [s for s in self._anchors if s < first_sekvens]
        if anchors:
            anchor = self._anchors[max(anchors)]
            self._expected, self._previous = anchor.sekvens + 1, bytes.fromhex(anchor.hash)
            return
        self._previous = None
        self._fail(
            1,
            f"records 1 to {first_sekvens - 1} are missing and no signed pruning checkpoint accounts "
            "for them (deleted)",
        )

    def record(self, sekvens: int, innholdshash: bytes, stored_hash: str | None, where: str = "") -> None:
        if self.failed:
            return
        summary = self.summary
        if sekvens != self._expected:
            if sekvens > self._expected:
                missing = (
                    f"record {self._expected} is missing"
                    if sekvens == self._expected + 1
                    else f"records {self._expected} to {sekvens - 1} are missing"
                )
                self._fail(self._expected, f"{missing} (deleted): the chain jumps to {sekvens}", where)
            else:
                self._fail(sekvens, "a second record with this sequence number (inserted)", where)
            return
        assert self._previous is not None
        computed = link(self._previous, innholdshash)
        if stored_hash != computed.hex():
            self._fail(
                sekvens,
                "its content does not match its chain value: it was changed, inserted or moved "
                "(or the record before it was)",
                where,
            )
            return
        signed = self._signed.get(sekvens)
        if signed is not None and signed.hash != stored_hash:
            self._fail(sekvens, "it does not match the signed checkpoint at this record", where)
            return
        summary.records += 1
        summary.first = sekvens if summary.first is None else summary.first
        summary.last = sekvens
        self._previous = computed
        self._expected = sekvens + 1

    @property
    def reached(self) -> int:
        """The chain holds up to here (its records, or a pruning anchor)."""
        return self._expected - 1

    def finish(self, *, require_signed_end: bool = False) -> ChainSummary:
        """After the last record: a signed checkpoint beyond where the chain ends means records were cut off."""
        summary = self.summary
        reached = self.reached
        if not self.failed and summary.signed_up_to > reached:
            signed = self._signed[summary.signed_up_to]
            self._fail(
                reached + 1,
                f"the log ends at record {reached}, but a checkpoint signed at "
                f"{timestamp(signed.tidspunkt)} covers records up to {summary.signed_up_to} (cut off)",
            )
        if not self.failed and require_signed_end and summary.signed_up_to != reached:
            self._fail(reached, "the export does not end at a signed checkpoint")
        return summary
