"""The register as the gateway sees it: a typed port, so in-process and HTTP adapters are interchangeable."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke

#: Search criteria as query parameters: every name may be repeated, so each maps to a list of values.
Kriterier = Mapping[str, Sequence[str]]
#: What becomes of each person document of a bulk answer (the gateway: cut to the role and serialised).
Finish = Callable[[dict[str, Any]], Any]


class UpstreamError(Exception):
    """The register refused or failed; ``body`` is its error body (FolkeregisterFeilmelding), passed on as is.

    ``headers`` carries response headers the caller needs to act (for example ``Retry-After`` on 429).
    """

    def __init__(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"the register answered {status}: {body.get('feilkode', '')}")
        self.status = status
        self.body = body
        self.headers: Mapping[str, str] = headers or {}

    @property
    def feilkode(self) -> str | None:
        code = self.body.get("feilkode")
        return code if isinstance(code, str) else None


class Upstream(Protocol):
    """The register's consumer API (`/folkeregisteret/{rettighetspakke}/api/v1/…`), one method per resource.

    Every call names the rights package to use, because each request runs under one role and the role
    decides the package. Methods are synchronous (the gateway calls them from a worker thread); an HTTP
    adapter uses a pooled ``httpx.Client``. ``parts`` are forwarded as the register's repeatable ``part``
    parameter; ``None`` sends none. Bodies are the JSON the caller sent, passed on unchanged. Every
    failure the register reports is raised as ``UpstreamError`` carrying the register's error body.
    Results are JSON-ready dicts exactly as the register answers them.
    """

    def person(
        self, pakke: Rettighetspakke, personidentifikator: str, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        """`GET personer/{personidentifikator}`: a person document."""
        ...

    def bulkoppslag(
        self, pakke: Rettighetspakke, body: Any, parts: Sequence[str] | None, som_bestilt: bool
    ) -> dict[str, Any]:
        """`POST personer/bulkoppslag`: `{"oppslag": [...]}`."""
        ...

    def arkivperson(
        self, pakke: Rettighetspakke, dokumentidentifikator: str, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        """`GET personer/arkiv/{dokumentidentifikator}`: an archived person document."""
        ...

    def bulkoppslag_arkiv(
        self, pakke: Rettighetspakke, body: Any, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        """`POST personer/bulkoppslag/arkiv`: `{"oppslag": [...]}` with `dokumentidentifikator` per entry."""
        ...

    def soek(self, pakke: Rettighetspakke, kriterier: Kriterier) -> dict[str, Any]:
        """`GET personer/soek`: `{"foedselsEllerDNummer": [...]}`."""
        ...

    def entydigsoek(
        self, pakke: Rettighetspakke, kriterier: Kriterier, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        """`GET personer/entydigsoek`: the one matching person document (404 for zero or several)."""
        ...

    # Events and extracts (the ordering organisation is the one set by `delegation.on_behalf_of`).

    def hendelser_feed(self, pakke: Rettighetspakke, seq: str | None) -> list[dict[str, Any]]:
        """`GET hendelser/feed?seq=N`: up to 1000 `LagretHendelseMedDokumentIdentifikatorer` (JSON)."""
        ...

    def siste_sekvensnummer(self, pakke: Rettighetspakke) -> int:
        """`GET hendelser/siste/sekvensnummer`: the newest sequence number (a bare JSON number)."""
        ...

    def hendelse(self, pakke: Rettighetspakke, hendelsesidentifikator: str) -> dict[str, Any]:
        """`GET hendelser/{id}`: a `DokumentForHendelse`."""
        ...

    def hendelser_bulkoppslag(self, pakke: Rettighetspakke, body: Any) -> list[dict[str, Any]]:
        """`POST hendelser/bulkoppslag`: the event documents found."""
        ...

    def uttrekk_tilpasset(self, pakke: Rettighetspakke, body: Any) -> dict[str, Any]:
        """`POST uttrekk/tilpasset`: `{"jobbId"}`."""
        ...

    def uttrekk_komplett(self, pakke: Rettighetspakke, feedsekvensnr: str | None) -> dict[str, Any]:
        """`GET uttrekk/komplett`: `{"jobbId"}`."""
        ...

    def uttrekk_batch(self, pakke: Rettighetspakke, jobbid: str, batchnr: str) -> dict[str, Any]:
        """`GET uttrekk/{jobbid}/batch/{batchnr}`: one batch, `{}` after the last."""
        ...


def bulkoppslag_each(
    upstream: Upstream,
    pakke: Rettighetspakke,
    body: Any,
    parts: Sequence[str] | None,
    som_bestilt: bool,
    finish: Finish,
) -> dict[str, Any]:
    """`POST personer/bulkoppslag` with each entry's person document replaced by `finish(document)`.

    An upstream that can (the embedded register's `bulkoppslag_each`) hands over each document as it is
    made, so the documents never live together; any other (a remote register's answer arrives whole) is
    asked with `bulkoppslag` and `finish` applied to each entry in turn. Entries keep their order and keys.
    """
    each = getattr(upstream, "bulkoppslag_each", None)
    if each is not None:
        result: dict[str, Any] = each(pakke, body, parts, som_bestilt, finish)
        return result
    entries = []
    for entry in upstream.bulkoppslag(pakke, body, parts, som_bestilt).get("oppslag") or ():
        person = entry.get("folkeregisterperson")
        entries.append(entry if person is None else {**entry, "folkeregisterperson": finish(person)})
    return {"oppslag": entries}
