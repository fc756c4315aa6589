"""The portal's hit list as one resource of the pipeline: a search, and the one page of hits that is shown.

`personer/soek` gives identity numbers only. A case worker sees a page of 25 persons with what the role may
see of them, so one page is: the search (criteria authorised as the API's search is), then a bulk lookup
of that page's numbers, each document cut to the role. Only the persons on the page leave the gateway, so
only they are audited as looked up (with the hit count and the page number in the record's parameters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fiks_folkeregister.domain.informasjonselementer import PartRequest, Rettighetspakke
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.domain.soekeparametre import SOEK_PARAMETERS
from fiks_folkeregister.gateway.resources import (
    SOK,
    MirroredResource,
    Oppslag,
    SearchCriteria,
    UpstreamRequest,
)
from fiks_folkeregister.upstream.port import Upstream

PER_SIDE = 25
SIDE = "side"
RESSURS = "portal: treffliste"


def page_bounds(side: int) -> tuple[int, int]:
    start = (side - 1) * PER_SIDE
    return start, start + PER_SIDE


def _page(up: Upstream, pakke: Rettighetspakke, r: UpstreamRequest) -> dict[str, Any]:
    hits = [str(number) for number in up.soek(pakke, r.query).get("foedselsEllerDNummer") or ()]
    start, end = page_bounds(int(r.path[SIDE]))
    shown = hits[start:end]
    found = up.bulkoppslag(pakke, {"foedselsEllerDNummer": shown}, r.parts, True) if shown else {}
    return {"antallTreff": len(hits), "oppslag": found.get("oppslag") or []}


class Treffside:
    """`{"antallTreff": n, "oppslag": [...]}`: each shown person cut to the role; the persons are those shown."""

    _entries = Oppslag()

    def filter(self, result: dict[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]:
        return {"antallTreff": int(result["antallTreff"]), **self._entries.filter(result, role, request)}

    def persons(self, result: Mapping[str, Any]) -> list[str]:
        return self._entries.persons(result)


TREFFSIDE = MirroredResource(
    "GET",
    "personer/soek",
    SOK,
    True,
    Treffside(),
    _page,
    "En side av en treffliste i søkeportalen.",
    query_parameters=SOEK_PARAMETERS,
    criteria=SearchCriteria(entydig=False),
)
