"""The search, hit list, person card and document pages under /portal/ (thin: forms in, pages out).

Every lookup goes through the portal service (`Oppslagstjeneste`: the pipeline with the person as principal);
these routes only read forms, explain refusals in bokmål and render what the service returned. No identity
number appears in a URL: searches are posted, and cards are addressed by session-bound references
(`personreferanse.py`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.domain.dokument import current_entry, entries, is_current
from fiks_folkeregister.portal import soekeskjema
from fiks_folkeregister.portal.kortvisning import (
    Oversetter,
    adresse,
    bygg_kort,
    gjeldende_navn,
    norsk_dato,
)
from fiks_folkeregister.portal.oppslagstjeneste import (
    Avslag,
    Bruker,
    FlereTreff,
    ForMangeTreff,
    HistorikkIkkeTillatt,
    IngenTreff,
    Kriterium,
    KriteriumIkkeTillatt,
    Oppslagstjeneste,
    Personsvar,
    RegisterUtilgjengelig,
    RolleIkkeGyldig,
    UgyldigKriterium,
)
from fiks_folkeregister.portal.personreferanse import Personreferanser
from fiks_folkeregister.portal.sessions import Session
from fiks_folkeregister.portal.web import PREFIX, ChosenRole, PageError, PortalContext

SEARCH_PATH = f"{PREFIX}/sok"
BY_NUMBER_PATH = f"{SEARCH_PATH}/nummer"
IDENTIFY_PATH = f"{SEARCH_PATH}/entydig"
HIT_LIST_PATH = f"{SEARCH_PATH}/treffliste"
PERSON_PATH = f"{PREFIX}/person"
PATHS = {"sok": SEARCH_PATH, "oppslag": BY_NUMBER_PATH, "entydig": IDENTIFY_PATH, "soek": HIT_LIST_PATH}
#: The session's key for its person references (made at first use; the references die with the session).
_REFERENCE_KEY = "personreferansenoekkel"


def build_pages_router(portal: PortalContext, tjeneste: Oppslagstjeneste) -> APIRouter:
    """The routes of the search, hit list, card and document pages."""
    router = APIRouter(include_in_schema=False)
    translations = portal.translations
    t = Oversetter(gettext=translations.gettext, pgettext=translations.pgettext)

    def melding(message: soekeskjema.Melding) -> str:
        text = translations.gettext(message.msgid)
        return text % dict(message.params) if message.params else text

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
        bruker: Bruker,
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
                "entydig",
                soekeskjema.ENTYDIG_FELTER,
                tjeneste.kriterier(bruker, True),
                skjema,
                values,
                errors,
            ),
            "soek_felter": fields(
                "soek", soekeskjema.SOEK_FELTER, tjeneste.kriterier(bruker, False), skjema, values, errors
            ),
        }
        return portal.render(request, "sok.html", context, status_code=status_code, session=session)

    def fields(
        form: str,
        felter: Sequence[soekeskjema.Felt],
        kriterier: Sequence[Kriterium],
        sent_from: str,
        values: Mapping[str, str],
        errors: Mapping[str, str],
    ) -> list[dict[str, Any]]:
        allowed = {kriterium.navn: kriterium for kriterium in kriterier}
        mine = sent_from == form
        return [
            {
                "skjema": form,
                "navn": felt.navn,
                "type": felt.type,
                "etikett": translations.gettext(felt.etikett),
                "hjelp": translations.gettext(felt.hjelp) if felt.hjelp else None,
                "valg": [(value, translations.gettext(text)) for value, text in felt.valg],
                "verdi": values.get(felt.navn) if mine else None,
                "feil": errors.get(felt.navn) if mine else None,
                "begrunnelse": reason(allowed.get(felt.navn)),
            }
            for felt in felter
        ]

    def reason(kriterium: Kriterium | None) -> str | None:
        if kriterium is None or kriterium.tillatt:
            return None
        if kriterium.navn == "historisk":
            why = translations.gettext("the role does not hold history")
        else:
            names = ", ".join(t.pgettext("element", element).lower() for element in kriterium.elementer)
            why = translations.gettext("the role may not see %(elements)s") % {"elements": names}
        return translations.gettext("Not available to your role: %(reason)s") % {"reason": why}

    def refusal(error: Avslag, form: str, role: ChosenRole) -> tuple[list[str], dict[str, str], int]:
        """A refusal of the service → (messages, field errors, status)."""
        if isinstance(error, IngenTreff):
            text = (
                "No person matches. Check the spelling, try phonetic search, or use fewer criteria."
                if form != "oppslag"
                else "No person has this number in the Folkeregister. Check the number, or search by name and "
                "birth date instead."
            )
            return [translations.gettext(text)], {}, 404
        if isinstance(error, FlereTreff):
            return (
                [
                    translations.gettext(
                        "More than one person matches, so none is shown. Add the birth date or the address, or "
                        "use the search with a hit list."
                    )
                ],
                {},
                409,
            )
        if isinstance(error, ForMangeTreff):
            return (
                [
                    translations.gettext(
                        "The search found more than 10 000 persons. Narrow it: add a birth year range, a "
                        "postnummer or kommunenummer, or more of the name."
                    )
                ],
                {},
                422,
            )
        if isinstance(error, KriteriumIkkeTillatt):
            names = ", ".join(error.kriterier)
            text = translations.gettext(
                "Your role may not search by %(criteria)s. Remove it, or choose a role that may."
            ) % {"criteria": names}
            return [text], dict.fromkeys(error.kriterier, text), 403
        if isinstance(error, HistorikkIkkeTillatt):
            text = translations.gettext(
                "Your role does not hold history, so it cannot search historic names and addresses."
            )
            return [text], {"historisk": text}, 403
        if isinstance(error, UgyldigKriterium):
            text = melding(soekeskjema.forklar_parameter(error.parameter, error.detalj))
            return [text], {soekeskjema.felt_for_parameter(error.parameter): text}, 400
        if isinstance(error, RolleIkkeGyldig):
            raise role_gone(role) from error
        if isinstance(error, RegisterUtilgjengelig):
            raise PageError(
                503,
                "The register does not answer",
                "The register does not answer right now. Nothing was looked up. Try again in a minute.",
            ) from error
        raise error

    # ------------------------------------------------------------------ routes

    @router.get(SEARCH_PATH)
    async def search(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        return search_page(request, session, bruker_of(session, role))

    @router.post(BY_NUMBER_PATH)
    async def by_number(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        form = await portal.check_csrf(request, session)
        typed = str(form.get("identifikasjonsnummer") or "")
        try:
            number = soekeskjema.identitetsnummer(typed)
        except soekeskjema.Skjemafeil as error:
            text = melding(error.melding)
            return search_page(
                request,
                session,
                bruker_of(session, role),
                feil=[text],
                feltfeil={error.felt: text},
                skjema="oppslag",
                verdier={"identifikasjonsnummer": typed},
                status_code=400,
            )
        return portal.redirect(card_path(session, number))

    @router.post(IDENTIFY_PATH)
    async def identify(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        form = await portal.check_csrf(request, session)
        bruker = bruker_of(session, role)
        values = soekeskjema.skjemaverdier(_strings(form), soekeskjema.ENTYDIG_FELTER)
        try:
            number = tjeneste.entydig(bruker, soekeskjema.entydig_spoerring(values))
        except soekeskjema.Skjemafeil as error:
            text = melding(error.melding)
            return search_page(
                request,
                session,
                bruker,
                feil=[text],
                feltfeil={error.felt: text},
                skjema="entydig",
                verdier=values,
                status_code=400,
            )
        except Avslag as error:
            messages, field_errors, status = refusal(error, "entydig", role)
            return search_page(
                request,
                session,
                bruker,
                feil=messages,
                feltfeil=field_errors,
                skjema="entydig",
                verdier=values,
                status_code=status,
            )
        return portal.redirect(card_path(session, number))

    @router.post(HIT_LIST_PATH)
    async def hit_list(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        form = await portal.check_csrf(request, session)
        bruker = bruker_of(session, role)
        values = soekeskjema.skjemaverdier(_strings(form), soekeskjema.SOEK_FELTER)
        page = _page_number(form.get("side"))
        try:
            side = tjeneste.soek(bruker, soekeskjema.spoerring(values), page)
        except soekeskjema.Skjemafeil as error:
            text = melding(error.melding)
            return search_page(
                request,
                session,
                bruker,
                feil=[text],
                feltfeil={error.felt: text},
                skjema="soek",
                verdier=values,
                status_code=400,
            )
        except Avslag as error:
            messages, field_errors, status = refusal(error, "soek", role)
            return search_page(
                request,
                session,
                bruker,
                feil=messages,
                feltfeil=field_errors,
                skjema="soek",
                verdier=values,
                status_code=status,
            )
        first = (side.side - 1) * 25 + 1
        context = {
            "sti": PATHS,
            "feil": [],
            "feil_lenke": None,
            "side": {
                "antall": side.antall,
                "fra": first if side.personer else 0,
                "til": first + len(side.personer) - 1,
                "side": side.side,
                "sider": side.sider,
                "forrige": side.side - 1 if side.side > 1 else None,
                "neste": side.side + 1 if side.side < side.sider else None,
                "kriterier": sorted(values.items()),
                "treff": [hit_row(session, document) for document in side.personer],
            },
        }
        return portal.render(request, "treffliste.html", context, session=session)

    def hit_row(session: Session, document: Mapping[str, Any]) -> dict[str, Any]:
        number = _number(document)
        birth = current_entry(document, "foedsel")
        address: str | None = None
        if "bostedsadresse" in document:
            home = current_entry(document, "bostedsadresse")
            if home is None:
                address = ""
            elif home.get("adressegradering") == "ugradert":
                address = adresse(home, t)
            else:
                address = translations.gettext("Protected address")
        return {
            "href": card_path(session, number),
            "navn": gjeldende_navn(document) or number,
            "foedselsdato": norsk_dato(str(birth.get("foedselsdato") or birth.get("foedselsaar") or ""))
            if birth
            else "",
            "adresse": address,
        }

    def card_context(
        session: Session, reference: str, svar: Personsvar, historikk: bool, vist: str | None
    ) -> dict[str, Any]:
        kort = bygg_kort(
            svar.dokument,
            t,
            lenke=lambda number: card_path(session, number),
            historikk=historikk,
            vis_skjermet=vist,
        )
        base = f"{PERSON_PATH}/{reference}"
        history_allowed = tjeneste.har_historikk(bruker_of(session, _role(session)))
        return {
            "kort": {
                **kort.__dict__,
                "historikk_tilgjengelig": history_allowed,
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
        bruker = bruker_of(session, role)
        if historikk and not tjeneste.har_historikk(bruker):
            historikk = False
        try:
            if reveal:
                return tjeneste.vis_skjermet_adresse(bruker, number, historikk)
            return tjeneste.person(bruker, number, historikk)
        except IngenTreff as error:
            raise PageError(
                404,
                "No person found",
                "No person has this number in the Folkeregister. Check the number, or search by name and "
                "birth date instead.",
            ) from error
        except Avslag as error:
            refusal(error, "oppslag", role)
            raise

    @router.get(PERSON_PATH + "/{reference}")
    async def card(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        historikk = request.query_params.get("historikk") == "1"
        number = number_of(session, reference)
        svar = look_up(session, role, number, historikk, reveal=False)
        context = card_context(
            session, reference, svar, historikk and tjeneste.har_historikk(bruker_of(session, role)), None
        )
        return portal.render(request, "personkort.html", context, session=session)

    @router.post(PERSON_PATH + "/{reference}/skjermet")
    async def confirm_reveal(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, _ = held
        form = await portal.check_csrf(request, session)
        number_of(session, reference)
        historikk = form.get("historikk") == "true"
        base = f"{PERSON_PATH}/{reference}"
        context = {
            "navn": str(form.get("navn") or "") or translations.gettext("Person card"),
            "bekreft_href": f"{base}/skjermet/bekreft",
            "avbryt_href": base + ("?historikk=1" if historikk else ""),
            "historikk": historikk,
        }
        return portal.render(request, "bekreft_skjermet.html", context, session=session)

    @router.post(PERSON_PATH + "/{reference}/skjermet/bekreft")
    async def reveal(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        form = await portal.check_csrf(request, session)
        number = number_of(session, reference)
        historikk = form.get("historikk") == "true" and tjeneste.har_historikk(bruker_of(session, role))
        svar = look_up(session, role, number, historikk, reveal=True)
        context = card_context(session, reference, svar, historikk, svar.loggreferanse)
        return portal.render(request, "personkort.html", context, session=session)

    @router.get(PERSON_PATH + "/{reference}/dokument")
    async def document(
        request: Request, reference: str, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, role = held
        historikk = request.query_params.get("historikk") == "1" and tjeneste.har_historikk(
            bruker_of(session, role)
        )
        number = number_of(session, reference)
        svar = look_up(session, role, number, historikk, reveal=False)
        context = card_context(session, reference, svar, historikk, None)
        context["utskrift"] = True
        context["hode"] = {
            "produsent": session.data.get("navn", ""),
            "organisasjon": role.organisasjon,
            "rolle": role.navn,
            "tidspunkt": svar.tidspunkt.astimezone().strftime("%d.%m.%Y kl. %H:%M"),
            "loggreferanse": svar.loggreferanse,
        }
        return portal.render(request, "dokument.html", context, session=session)

    return router


def bruker_of(session: Session, role: ChosenRole) -> Bruker:
    """The principal of a portal call: the logged-in person, their chosen role, the session's case reference."""
    case = session.data.get("saksreferanse") or {}
    return Bruker(
        foedselsnummer=session.data["pid"],
        navn=session.data.get("navn", ""),
        rolle_id=role.rolle_id,
        saksnummer=case.get("saksnummer") or None,
        formaal=case.get("formaal") or None,
    )


def _role(session: Session) -> ChosenRole:
    return ChosenRole(**session.data["rolle"])


def role_gone(role: ChosenRole) -> PageError:
    """The same page as the foundation's check of the role at each request (a grant revoked mid-request)."""
    return PageError(
        403,
        "The role is no longer yours",
        "You no longer hold the role {role}. Choose another role, or ask your administrator.",
        role=role.navn,
        choose_role=True,
    )


def _strings(form: Any) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _page_number(raw: Any) -> int:
    text = str(raw or "1").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 6 and int(text) > 0 else 1


def _number(document: Mapping[str, Any]) -> str:
    identifiers = entries(document.get("identifikasjonsnummer"))
    current = [entry for entry in identifiers if is_current(entry)] or identifiers
    return str(current[0].get("foedselsEllerDNummer", "")) if current else ""
