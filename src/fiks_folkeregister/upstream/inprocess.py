"""The in-process adapter: the embedded register's service layer behind the upstream port, no HTTP."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.http.errors import register_body
from fiks_folkeregister.register.errors import RegisterError
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.upstream.delegation import current_organisation
from fiks_folkeregister.upstream.port import Kriterier, UpstreamError

T = TypeVar("T")


def _translated(call: Callable[[], T]) -> T:
    """Run one register call; its errors become ``UpstreamError`` with the register's own body."""
    try:
        return call()
    except RegisterError as error:
        raise UpstreamError(error.status, register_body(error), error.headers) from None


class InProcessUpstream:
    """`Upstream` over a `RegisterService` in this process (the default: the embedded register)."""

    def __init__(self, service: RegisterService) -> None:
        self._service = service

    def person(
        self, pakke: Rettighetspakke, personidentifikator: str, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return _translated(lambda: self._service.person(personidentifikator, pakke, parts))

    def bulkoppslag(
        self, pakke: Rettighetspakke, body: Any, parts: Sequence[str] | None, som_bestilt: bool
    ) -> dict[str, Any]:
        return _translated(lambda: self._service.bulkoppslag(body, pakke, parts, som_bestilt))

    def bulkoppslag_each(
        self,
        pakke: Rettighetspakke,
        body: Any,
        parts: Sequence[str] | None,
        som_bestilt: bool,
        finish: Callable[[dict[str, Any]], Any],
    ) -> dict[str, Any]:
        return _translated(lambda: self._service.bulkoppslag_each(body, pakke, parts, som_bestilt, finish))

    def arkivperson(
        self, pakke: Rettighetspakke, dokumentidentifikator: str, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return _translated(lambda: self._service.arkivperson(dokumentidentifikator, pakke, parts))

    def bulkoppslag_arkiv(
        self, pakke: Rettighetspakke, body: Any, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return _translated(lambda: self._service.bulkoppslag_arkiv(body, pakke, parts))

    def soek(self, pakke: Rettighetspakke, kriterier: Kriterier) -> dict[str, Any]:
        criteria = {name: list(values) for name, values in kriterier.items()}
        return _translated(lambda: self._service.soek(criteria, pakke))

    def entydigsoek(
        self, pakke: Rettighetspakke, kriterier: Kriterier, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        criteria = {name: list(values) for name, values in kriterier.items()}
        return _translated(lambda: self._service.entydigsoek(criteria, pakke, parts))

    # Events and extracts: jobs belong to the organisation the gateway acts for (`on_behalf_of`).

    def hendelser_feed(self, pakke: Rettighetspakke, seq: str | None) -> list[dict[str, Any]]:
        page = _translated(lambda: self._service.hendelser.feed(seq, pakke))
        return [entry.as_json() for entry in page.entries]

    def siste_sekvensnummer(self, pakke: Rettighetspakke) -> int:
        return _translated(lambda: self._service.hendelser.siste(pakke))

    def hendelse(self, pakke: Rettighetspakke, hendelsesidentifikator: str) -> dict[str, Any]:
        return _translated(lambda: self._service.hendelser.dokument(hendelsesidentifikator, pakke))

    def hendelser_bulkoppslag(self, pakke: Rettighetspakke, body: Any) -> list[dict[str, Any]]:
        return _translated(lambda: self._service.hendelser.bulkoppslag(body, pakke))

    def uttrekk_tilpasset(self, pakke: Rettighetspakke, body: Any) -> dict[str, Any]:
        return _translated(lambda: self._service.uttrekk.tilpasset(body, pakke, _bestiller()))

    def uttrekk_komplett(self, pakke: Rettighetspakke, feedsekvensnr: str | None) -> dict[str, Any]:
        return _translated(lambda: self._service.uttrekk.komplett(feedsekvensnr, pakke, _bestiller()))

    def uttrekk_batch(self, pakke: Rettighetspakke, jobbid: str, batchnr: str) -> dict[str, Any]:
        return _translated(lambda: self._service.uttrekk.batch(jobbid, batchnr, pakke, _bestiller()))


def _bestiller() -> str:
    """The organisation extract jobs belong to: the one the current request acts for."""
    orgnr = current_organisation()
    if not orgnr:
        raise UpstreamError(
            403,
            register_body(RegisterError(403, "MANGLER_TILGANG", "No organisation to order the extract for")),
        )
    return orgnr
