"""The search, hit list, person card and document pages under /portal/ (thin: forms in, pages out).

Every lookup goes through the portal service (`Oppslagstjeneste`: the pipeline with the person as principal);
these routes only read forms, explain refusals in bokmål and render what the service returned. No identity
number appears in a URL: searches are posted, and cards are addressed by session-bound references
(`personreferanse.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fiks_folkeregister.domain.dokument import current_entry
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.domain.saksreferanse import saksreferanse
from fiks_folkeregister.gateway.access import Person
from fiks_folkeregister.portal import soekeskjema
from fiks_folkeregister.portal.directory import PersonDirectory
from fiks_folkeregister.portal.kortvisning import (
    SKJERMET,
    Oversetter,
    adresse,
    bygg_kort,
    gjeldende_navn,
    norsk_dato,
)
from fiks_folkeregister.portal.oppslag import Avvisning, Grunn, Kontekst, Personsvar, Treffside
from fiks_folkeregister.portal.personreferanse import Personreferanser
from fiks_folkeregister.portal.sessions import Session
from fiks_folkeregister.portal.web import PREFIX, ChosenRole, PageError, PortalContext


class Oppslag(Protocol):
    """What the pages call (`portal.oppslag.Portaloppslag`: every call one audited pass of the pipeline)."""

    def person(self, kontekst: Kontekst, identifikator: str, *, historikk: bool = False) -> Personsvar: ...

    def vis_skjermet_adresse(
        self, kontekst: Kontekst, identifikator: str, *, historikk: bool = False
    ) -> Personsvar: ...

    def identifiser_nummer(self, kontekst: Kontekst, kriterier: Mapping[str, str]) -> str: ...

    def soek(self, kontekst: Kontekst, kriterier: Mapping[str, str], side: int = 1) -> Treffside: ...


#: The time on the document view: Norway's.
OSLO = ZoneInfo("Europe/Oslo")
SEARCH_PATH = f"{PREFIX}/sok"
BY_NUMBER_PATH = f"{SEARCH_PATH}/nummer"
IDENTIFY_PATH = f"{SEARCH_PATH}/entydig"
HIT_LIST_PATH = f"{SEARCH_PATH}/treffliste"
PERSON_PATH = f"{PREFIX}/person"
PATHS = {"sok": SEARCH_PATH, "oppslag": BY_NUMBER_PATH, "entydig": IDENTIFY_PATH, "soek": HIT_LIST_PATH}
#: The session's key for its person references (made at first use; the references die with the session).
_REFERENCE_KEY = "personreferansenoekkel"
#: The session's kept searches (criteria by random id: the hit list's pages are GETs naming only the id).
_SEARCHES_KEY = "soek"
_SEARCHES_KEPT = 10
#: The session's confirmations of "Vis skjermet adresse" (keyed digests of the persons' numbers).
_REVEALED_KEY = "skjermet_bekreftet"
_REVEALED_KEPT = 20

_NUMBER_REASONS = {
    "lengde": "The number must be 11 digits.",
    "kontrollsiffer": "The check digits do not match. Check the last two digits against the case papers; one "
    "digit is probably mistyped.",
    "dato": "The first six digits are not a valid date. Check the birth date part of the number.",
}


def build_pages_router(portal: PortalContext, oppslag: Oppslag, directory: PersonDirectory) -> APIRouter:
    """The routes of the search, hit list, card and document pages."""
    router = APIRouter(include_in_schema=False)
    translations = portal.translations
    gettext = translations.gettext
    t = Oversetter(gettext=gettext, pgettext=translations.pgettext)

    def melding(message: soekeskjema.Melding) -> str:
        text = gettext(message.msgid)
        return text % dict(message.params) if message.params else text

    def role_of(session: Session, role: ChosenRole) -> Rolle:
        """The chosen role as the admin side holds it now (the foundation has checked it is still held)."""
        for choice in directory.portal_roles(session.data["pid"]):
            if str(choice.rolle.id) == role.rolle_id:
                return choice.rolle
        raise role_gone(role)

    def references(session: Session) -> Personreferanser:
        key = session.data.get(_REFERENCE_KEY)
        if not key:
            key = session.data[_REFERENCE_KEY] = secrets.token_urlsafe(32)
            portal.sessions.save(session)
        return Personreferanser(key)

    def card_path(session: Session, number: str) -> str:
        return f"{PERSON_PATH}/{references(session).lag('', number)}"

    def number_of(session: Session, reference: str) -> str:
        number = references(session).les("", reference)
        if number is None:
            raise PageError(
                404,
                "The person card could not be opened",
                "The link is not valid in this session (it may come from an earlier login). Search for the "
                "person again.",
            )
        return number

    # ------------------------------------------------------------------ the search page

    def search_page(
        request: Request,
        session: Session,
        rolle: Rolle,
        *,
        feil: Sequence[str] = (),
        feltfeil: Mapping[str, str] | None = None,
        skjema: str = "",
        verdier: Mapping[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        values = dict(verdier or {})
        errors = dict(feltfeil or {})
        context = {
            "sti": PATHS,
            "feil": list(feil),
            "feil_lenke": None,
            "feltfeil": errors if skjema == "oppslag" else {},
            "verdier": values if skjema == "oppslag" else {},
            "entydig_felter": fields(
                "entydig", soekeskjema.ENTYDIG_FELTER, rolle, True, skjema, values, errors
            ),
            "soek_felter": fields("soek", soekeskjema.SOEK_FELTER, rolle, False, skjema, values, errors),
        }
        return portal.render(request, "sok.html", context, status_code=status_code, session=session)

    def fields(
        form: str,
        felter: Sequence[soekeskjema.Felt],
        rolle: Rolle,
        entydig: bool,
        sent_from: str,
        values: Mapping[str, str],
        errors: Mapping[str, str],
    ) -> list[dict[str, Any]]:
        refused = soekeskjema.ikke_tillatte_kriterier(rolle, entydig)
        mine = sent_from == form
        return [
            {
                "skjema": form,
                "navn": felt.navn,
                "type": felt.type,
                "etikett": gettext(felt.etikett),
                "hjelp": gettext(felt.hjelp) if felt.hjelp else None,
                "valg": [(value, gettext(text)) for value, text in felt.valg],
                "verdi": values.get(felt.navn) if mine else None,
                "feil": errors.get(felt.navn) if mine else None,
                "begrunnelse": reason(felt.navn, refused[felt.navn]) if felt.navn in refused else None,
            }
            for felt in felter
        ]

    def reason(navn: str, elements: Sequence[str]) -> str:
        if navn == soekeskjema.HISTORISK:
            why = gettext("the role does not hold history")
        else:
            names = ", ".join(t.pgettext("element", element).lower() for element in elements)
            why = gettext("the role may not see %(elements)s") % {"elements": names}
        return gettext("Not available to your role: %(reason)s") % {"reason": why}

    def refusal(error: Avvisning, form: str, role: ChosenRole) -> tuple[list[str], dict[str, str], int]:
        """A refusal of the service → (messages, field errors, status); the role's and the register's
        refusals become whole pages."""
        grunn = error.grunn
        if grunn is Grunn.UGYLDIG_NUMMER:
            text = gettext(_NUMBER_REASONS.get(error.detalj or "", _NUMBER_REASONS["lengde"]))
            return [text], {"identifikasjonsnummer": text}, 400
        if grunn is Grunn.IKKE_FUNNET:
            text = (
                "No person has this number in the Folkeregister. Check the number, or search by name and "
                "birth date instead."
                if form == "oppslag"
                else "No person matches. Check the spelling, try phonetic search, or use fewer criteria."
            )
            return [gettext(text)], {}, 404
        if grunn in (Grunn.FLERE_TREFF, Grunn.INGEN_ENTYDIG_TREFF):
            text = (
                "More than one person matches, so none is shown. Add the birth date or the address, or "
                "use the search with a hit list."
                if grunn is Grunn.FLERE_TREFF
                else "No single person matches. Check the name and add the birth date or the address, or "
                "use the search with a hit list."
            )
            return [gettext(text)], {}, 409 if grunn is Grunn.FLERE_TREFF else 404
        if grunn is Grunn.FOR_MANGE_TREFF:
            return (
                [
                    gettext(
                        "The search found more than 10 000 persons. Narrow it: add a birth year range, a "
                        "postnummer or kommunenummer, or more of the name."
                    )
                ],
                {},
                422,
            )
        if grunn is Grunn.KRITERIUM_IKKE_TILLATT:
            criteria = [str(name) for name in error.detaljer.get("ikkeTillatteKriterier", [])]
            text = gettext(
                "Your role may not search by %(criteria)s. Remove it, or choose a role that may."
            ) % {"criteria": ", ".join(criteria)}
            return [text], dict.fromkeys(criteria, text), 403
        if grunn is Grunn.HISTORIKK_IKKE_TILLATT:
            text = gettext(
                "Your role does not hold history, so it cannot search historic names and addresses."
            )
            return [text], {soekeskjema.HISTORISK: text}, 403
        if grunn in (Grunn.UGYLDIG_SOEK, Grunn.UGYLDIG_SIDE):
            parameter = error.detaljer.get("parameter")
            text = melding(soekeskjema.forklar_parameter(parameter, error.melding))
            return [text], {soekeskjema.felt_for_parameter(parameter): text}, 400
        if grunn in (Grunn.ROLLE_IKKE_TILGJENGELIG, Grunn.BRUKER_IKKE_AKTIV):
            raise role_gone(role) from error
        if grunn is Grunn.FOR_MANGE_FORESPOERSLER:
            wait = _seconds(error.detaljer.get("retryAfterSeconds"))
            raise PageError(
                429,
                "Too many lookups",
                "You have made very many lookups in a short time, so the search pauses for you. Nothing was "
                "looked up now. Try again in {seconds} seconds. The pause is recorded in the lookup log.",
                headers={"Retry-After": str(wait)},
                seconds=wait,
            ) from error
        if grunn is Grunn.IKKE_TILLATT:
            raise PageError(
                403,
                "Your role may not do this",
                "The role {role} does not allow this lookup. Choose another role, or ask your administrator.",
                role=role.navn,
                choose_role=True,
            ) from error
        raise PageError(
            503,
            "The register does not answer",
            "The register does not answer right now. Nothing was looked up. Try again in a minute.",
        ) from error

    def searched(
        request: Request,
        session: Session,
        role: ChosenRole,
        form: str,
        error: Exception,
        values: Mapping[str, str],
    ) -> Response:
        if isinstance(error, soekeskjema.Skjemafeil):
            text = melding(error.melding)
            messages, field_errors, status = [text], {error.felt: text}, 400
        else:
            assert isinstance(error, Avvisning)
            messages, field_errors, status = refusal(error, form, role)
        return search_page(
            request,
            session,
            role_of(session, role),
            feil=messages,
            feltfeil=field_errors,
            skjema=form,
            verdier=values,
            status_code=status,
        )

    # ------------------------------------------------------------------ routes
    #
    # Every route awaits only the form; the rest (sessions, the directory, the pipeline: all blocking) runs in
    # a worker thread. A POST never shows register data: it redirects (303) to a GET that does the audited
    # lookup, so reloading a page never sends a form again.

    @router.get(SEARCH_PATH)
    async def search(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        return await run_in_threadpool(lambda: search_page(request, session, role_of(session, role)))

    @router.post(BY_NUMBER_PATH)
    async def by_number(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        form = await portal.check_csrf(request, session)
        typed = str(form.get("identifikasjonsnummer") or "")

        def answer() -> Response:
            try:
                number = soekeskjema.identitetsnummer(typed)
            except soekeskjema.Skjemafeil as error:
                return searched(request, session, role, "oppslag", error, {"identifikasjonsnummer": typed})
            return portal.redirect(card_path(session, number))

        return await run_in_threadpool(answer)

    @router.post(IDENTIFY_PATH)
    async def identify(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        """Identify one person (audited, asking only their number), then open their card by reference."""
        session, role = held
        form = await portal.check_csrf(request, session)
        values = soekeskjema.skjemaverdier(_strings(form), soekeskjema.ENTYDIG_FELTER)

        def answer() -> Response:
            try:
                query = soekeskjema.entydig_spoerring(values)
                number = oppslag.identifiser_nummer(kontekst(session, role), _single(query))
            except (soekeskjema.Skjemafeil, Avvisning) as error:
                return searched(request, session, role, "entydig", error, values)
            return portal.redirect(card_path(session, number))

        return await run_in_threadpool(answer)

    @router.post(HIT_LIST_PATH)
    async def hit_list(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        """Check the criteria and keep them in the session; the hit list itself is a GET (a page of it is
        the audited lookup), addressed by a random id: no criterion in any URL."""
        session, role = held
        form = await portal.check_csrf(request, session)
        values = soekeskjema.skjemaverdier(_strings(form), soekeskjema.SOEK_FELTER)
        page = _page_number(form.get("side"))

        def answer() -> Response:
            try:
                soekeskjema.spoerring(values)
            except soekeskjema.Skjemafeil as error:
                return searched(request, session, role, "soek", error, values)
            return portal.redirect(hits_path(keep_search(session, values), page))

        return await run_in_threadpool(answer)

    @router.get(HIT_LIST_PATH + "/{search_id}")
    async def hit_list_page(
        request: Request, search_id: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        page = _page_number(request.query_params.get("side"))
        return await run_in_threadpool(hits, request, session, role, search_id, page)

    def keep_search(session: Session, values: Mapping[str, str]) -> str:
        """The criteria kept in the (server-side) session under a new random id; the last few only."""
        kept = dict(session.data.get(_SEARCHES_KEY) or {})
        search_id = secrets.token_urlsafe(12)
        kept[search_id] = dict(values)
        session.data[_SEARCHES_KEY] = dict(list(kept.items())[-_SEARCHES_KEPT:])
        portal.sessions.save(session)
        return search_id

    def hits_path(search_id: str, page: int) -> str:
        return f"{HIT_LIST_PATH}/{search_id}" + (f"?side={page}" if page > 1 else "")

    def hits(request: Request, session: Session, role: ChosenRole, search_id: str, page: int) -> Response:
        values = (session.data.get(_SEARCHES_KEY) or {}).get(search_id)
        if values is None:
            raise PageError(
                404,
                "The hit list could not be opened",
                "The search is not kept in this session any longer (it may come from an earlier login). "
                "Search again.",
            )
        try:
            side = oppslag.soek(kontekst(session, role), _single(soekeskjema.spoerring(values)), page)
        except (soekeskjema.Skjemafeil, Avvisning) as error:
            return searched(request, session, role, "soek", error, values)
        first = (side.side - 1) * side.per_side + 1
        context = {
            "sti": PATHS,
            "feil": [],
            "feil_lenke": None,
            "side": {
                "antall": side.antall_treff,
                "fra": first if side.treff else 0,
                "til": first + len(side.treff) - 1,
                "side": side.side,
                "sider": side.antall_sider,
                "forrige": hits_path(search_id, side.side - 1) if side.side > 1 else None,
                "neste": hits_path(search_id, side.side + 1) if side.side < side.antall_sider else None,
                "treff": [
                    hit_row(session, treff.foedselsEllerDNummer, treff.dokument) for treff in side.treff
                ],
            },
        }
        return portal.render(request, "treffliste.html", context, session=session)

    def hit_row(session: Session, number: str, document: Mapping[str, Any]) -> dict[str, Any]:
        birth = current_entry(document, "foedsel")
        address: str | None = None
        if "bostedsadresse" in document:
            home = current_entry(document, "bostedsadresse")
            if home is None:
                address = ""
            elif home.get("adressegradering") == "ugradert":
                address = adresse(home, t)
            elif home.get("adressegradering") in SKJERMET:
                address = gettext("Protected address")
            else:
                address = None
        return {
            "href": card_path(session, number),
            "navn": gjeldende_navn(document) or number,
            "foedselsdato": norsk_dato(str(birth.get("foedselsdato") or birth.get("foedselsaar") or ""))
            if birth
            else "",
            "adresse": address,
        }

    def card_context(
        session: Session, role: ChosenRole, reference: str, svar: Personsvar, historikk: bool
    ) -> dict[str, Any]:
        kort = bygg_kort(
            svar.dokument,
            t,
            lenke=lambda number: card_path(session, number),
            historikk=historikk,
            vis_skjermet=svar.revisjonsreferanse if svar.skjermet_vist else None,
        )
        base = f"{PERSON_PATH}/{reference}"
        return {
            "kort": {
                **kort.__dict__,
                "historikk_tilgjengelig": role_of(session, role).historikk,
                "historikk_href": base if historikk else f"{base}?historikk=1",
                "dokument_href": f"{base}/dokument" + ("?historikk=1" if historikk else ""),
                "skjermet_href": f"{base}/skjermet",
                "kort_href": base + ("?historikk=1" if historikk else ""),
            },
            "historikk": historikk,
            "utskrift": False,
            "sti": PATHS,
        }

    def look_up(session: Session, role: ChosenRole, number: str, historikk: bool, reveal: bool) -> Personsvar:
        """One audited lookup through the pipeline (blocking: the routes run it in a worker thread)."""
        try:
            if reveal:
                return oppslag.vis_skjermet_adresse(kontekst(session, role), number, historikk=historikk)
            return oppslag.person(kontekst(session, role), number, historikk=historikk)
        except Avvisning as error:
            if error.grunn is Grunn.IKKE_FUNNET:
                raise PageError(
                    404,
                    "No person found",
                    "No person has this number in the Folkeregister. Check the number, or search by name and "
                    "birth date instead.",
                ) from error
            refusal(error, "oppslag", role)
            raise

    def wants_history(session: Session, role: ChosenRole, asked: bool) -> bool:
        """History only when asked and the role holds it (so the link is never offered otherwise either)."""
        return asked and role_of(session, role).historikk

    def shown_card(
        request: Request, session: Session, role: ChosenRole, reference: str, asked: bool, reveal: bool
    ) -> Response:
        number = number_of(session, reference)
        historikk = wants_history(session, role, asked)
        if reveal and not reveal_confirmed(session, number):
            return portal.redirect(f"{PERSON_PATH}/{reference}" + ("?historikk=1" if historikk else ""))
        svar = look_up(session, role, number, historikk, reveal)
        context = card_context(session, role, reference, svar, historikk)
        return portal.render(request, "personkort.html", context, session=session)

    @router.get(PERSON_PATH + "/{reference}")
    async def card(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        asked = request.query_params.get("historikk") == "1"
        return await run_in_threadpool(shown_card, request, session, role, reference, asked, False)

    @router.post(PERSON_PATH + "/{reference}/skjermet")
    async def confirm_reveal(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        """The question "do you want to see it?" (nothing is looked up or recorded yet)."""
        session, _ = held
        form = await portal.check_csrf(request, session)
        await run_in_threadpool(number_of, session, reference)
        historikk = form.get("historikk") == "true"
        base = f"{PERSON_PATH}/{reference}"
        context = {
            "navn": str(form.get("navn") or "") or gettext("Person card"),
            "bekreft_href": f"{base}/skjermet/bekreft",
            "avbryt_href": base + ("?historikk=1" if historikk else ""),
            "historikk": historikk,
        }
        return portal.render(request, "bekreft_skjermet.html", context, session=session)

    @router.post(PERSON_PATH + "/{reference}/skjermet/bekreft")
    async def reveal(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        """The confirmation: kept in the session for this person, then the card with the address (a GET
        that is the audited `vis skjermet adresse` lookup)."""
        session, role = held
        form = await portal.check_csrf(request, session)
        historikk = form.get("historikk") == "true"

        def answer() -> Response:
            confirm_reveal_of(session, number_of(session, reference))
            shown = f"{PERSON_PATH}/{reference}/skjermet/vist"
            return portal.redirect(
                shown + ("?historikk=1" if wants_history(session, role, historikk) else "")
            )

        return await run_in_threadpool(answer)

    @router.get(PERSON_PATH + "/{reference}/skjermet/vist")
    async def revealed(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        asked = request.query_params.get("historikk") == "1"
        return await run_in_threadpool(shown_card, request, session, role, reference, asked, True)

    def reveal_mark(session: Session, number: str) -> str:
        key = str(session.data.get(_REFERENCE_KEY) or "")
        return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()

    def confirm_reveal_of(session: Session, number: str) -> None:
        """Remember (as a keyed digest, not the number) that this session confirmed seeing this person's
        protected address; the last few persons only."""
        marks = [mark for mark in session.data.get(_REVEALED_KEY, []) if mark != reveal_mark(session, number)]
        session.data[_REVEALED_KEY] = [*marks, reveal_mark(session, number)][-_REVEALED_KEPT:]
        portal.sessions.save(session)

    def reveal_confirmed(session: Session, number: str) -> bool:
        return reveal_mark(session, number) in session.data.get(_REVEALED_KEY, [])

    @router.get(PERSON_PATH + "/{reference}/dokument")
    async def document(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        asked = request.query_params.get("historikk") == "1"

        def answer() -> Response:
            number = number_of(session, reference)
            historikk = wants_history(session, role, asked)
            svar = look_up(session, role, number, historikk, False)
            context = card_context(session, role, reference, svar, historikk)
            context["utskrift"] = True
            context["hode"] = {
                "produsent": session.data.get("navn", ""),
                "organisasjon": role.organisasjon,
                "rolle": role.navn,
                "tidspunkt": datetime.now(UTC).astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M"),
                "loggreferanse": svar.revisjonsreferanse,
            }
            return portal.render(request, "dokument.html", context, session=session)

        return await run_in_threadpool(answer)

    return router


def kontekst(session: Session, role: ChosenRole) -> Kontekst:
    """The principal of a portal call: the logged-in person, their chosen role, the session's case reference."""
    case = session.data.get("saksreferanse") or {}
    return Kontekst(
        Person(session.data["pid"], session.data.get("navn", "")),
        role.rolle_id,
        saksreferanse(case.get("saksnummer"), case.get("formaal")),
    )


def role_gone(role: ChosenRole) -> PageError:
    """The same page as the foundation's check of the role at each request (a grant revoked mid-request)."""
    return PageError(
        403,
        "The role is no longer yours",
        "You no longer hold the role {role}. Choose another role, or ask your administrator.",
        role=role.navn,
        choose_role=True,
    )


def _single(query: Mapping[str, list[str]]) -> dict[str, str]:
    return {name: values[0] for name, values in query.items()}


def _strings(form: Any) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _seconds(raw: Any) -> int:
    """The wait a refusal names, in whole seconds (at least 1)."""
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 60


def _page_number(raw: Any) -> int:
    text = str(raw or "1").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 6 and int(text) > 0 else 1
