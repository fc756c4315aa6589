"""The insight report as a letter in Norwegian: HTML, and PDF through WeasyPrint.

The letter names organisations and their roles, never a case worker or an integration, and shows the
person's identity numbers masked (birth date only). Service area and legal basis are printed once roles
carry them; until then the role's name and usage areas stand for them.
"""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from fiks_folkeregister.audit.innsyn import Innsynsoppslag, Innsynsrapport

OSLO = ZoneInfo("Europe/Oslo")

KANAL = {"api": "Fagsystem", "portal": "Portal (saksbehandler)", "innsyn": "Behandling av innsynskrav"}
BRUKSOMRAADE = {
    "sok-etter-person": "oppslag og søk",
    "hendelsesliste": "hendelsesliste",
    "uttrekk": "uttrekk",
}

_STYLE = """
@page { size: A4; margin: 22mm 18mm; @bottom-right { content: "Side " counter(page) " av " counter(pages);
  font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4mm 0; }
p.meta { color: #444; margin: 0 0 6mm 0; }
table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
th, td { text-align: left; vertical-align: top; padding: 1.5mm 2mm; border-bottom: 0.3pt solid #999; }
th { background: #eee; font-size: 9pt; }
td { font-size: 9pt; }
td.el { font-size: 8pt; }
tr { page-break-inside: avoid; }
"""


def masked(identifikator: str) -> str:
    """The birth date part only: 06076301709 → 060763 *****."""
    return f"{identifikator[:6]} *****"


def render_html(report: Innsynsrapport, organisasjon: str | None = None) -> str:
    """The whole letter. `organisasjon`: the name of the one organisation the report is limited to."""
    laget = report.laget.astimezone(OSLO)
    numbers = ", ".join(masked(n) for n in report.identifikatorer)
    scope = (
        f"oppslag gjort av {escape(organisasjon or report.orgnr or '')} (organisasjonsnummer "
        f"{escape(report.orgnr or '')})"
        if report.orgnr
        else "oppslag gjort av alle organisasjoner som bruker Fiks Folkeregister"
    )
    if report.oppslag:
        rows = "\n".join(_row(entry) for entry in report.oppslag)
        body = (
            "<table><thead><tr><th>Tidspunkt</th><th>Organisasjon</th><th>Rolle og bruksområde</th>"
            "<th>Kanal</th><th>Opplysninger utlevert</th></tr></thead>\n"
            f"<tbody>\n{rows}\n</tbody></table>"
        )
    else:
        body = "<p>Det er ikke registrert noen oppslag der opplysninger om deg ble utlevert.</p>"
    return f"""<!DOCTYPE html>
<html lang="nb">
<head><meta charset="utf-8"><title>Innsyn i oppslag i Folkeregisteret</title><style>{_STYLE}</style></head>
<body>
<h1>Innsyn i oppslag i Folkeregisteret</h1>
<p class="meta">Laget {laget:%d.%m.%Y kl. %H:%M} · Gjelder fødselsnummer/d-nummer {escape(numbers)}</p>
<p>Du har bedt om å få vite hvem som har hentet opplysninger om deg fra Folkeregisteret gjennom
Fiks Folkeregister (folkeregisterloven § 10-1 og personvernforordningen artikkel 15).
Oversikten viser {scope}, også oppslag på numre du har hatt tidligere. For hvert oppslag står
organisasjonen, rollen den brukte, om oppslaget kom fra et fagsystem eller portalen, når det skjedde
og hvilke opplysninger som ble utlevert. Forsøk som ble avvist er ikke med, fordi ingen opplysninger
ble utlevert.</p>
<p>Ønsker du å vite mer om hvorfor en organisasjon slo deg opp, kan du kontakte organisasjonen.
Antall oppslag: {len(report.oppslag)}.</p>
{body}
</body>
</html>
"""


def _row(entry: Innsynsoppslag) -> str:
    when = entry.tidspunkt.astimezone(OSLO)
    areas = ", ".join(BRUKSOMRAADE.get(area, area) for area in entry.bruksomraader)
    if entry.kanal == "innsyn":
        role = "Behandling av innsynskravet ditt"
    elif entry.rolle is None:
        role = "Rolle som senere er slettet"
    else:
        role = escape(entry.rolle) + (f"<br><small>Bruksområde: {escape(areas)}</small>" if areas else "")
    return (
        f"<tr><td>{when:%d.%m.%Y %H:%M}</td>"
        f"<td>{escape(entry.organisasjon)}<br><small>Org.nr. {escape(entry.orgnr)}</small></td>"
        f"<td>{role}</td><td>{escape(KANAL.get(entry.kanal, entry.kanal))}</td>"
        f'<td class="el">{escape(", ".join(entry.elementer))}</td></tr>'
    )


def render_pdf(report: Innsynsrapport, organisasjon: str | None = None) -> bytes:
    """The letter as PDF (WeasyPrint; needs the system's Pango)."""
    from weasyprint import HTML

    document: bytes = HTML(string=render_html(report, organisasjon)).write_pdf()
    return document
