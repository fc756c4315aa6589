"""The gateway's machine codes (its errors answer in the platform's body, `http/errors.py`)."""

from __future__ import annotations

from fiks_folkeregister.http.errors import HttpError
from fiks_folkeregister.http.json_body import BodyCodes

# Failures on the way to the register (502/503/504/429), defined where they are detected.
from fiks_folkeregister.upstream.resilience import (  # noqa: F401
    MASKINPORTEN_AVVISTE,
    MASKINPORTEN_UTILGJENGELIG,
    REGISTERET_AVVISTE_PLATTFORMEN,
    REGISTERET_FEILET,
    REGISTERET_STRUPER,
    REGISTERET_SVARER_IKKE,
    REGISTERET_UTILGJENGELIG,
)

#: The gateway raises the toolkit's error (`http/errors.py`) and answers it in the platform's body.
GatewayError = HttpError

# The gateway's machine codes, each with its status. Authentication failures are 401, authorisation 403,
# malformed input 400; the audit log being unavailable is 503 (no personal data leaves without a record).
UGYLDIG_TOKEN = "UGYLDIG_TOKEN"
MANGLER_SCOPE = "MANGLER_SCOPE"
TOKENNOEKLER_UTILGJENGELIG = "TOKENNOEKLER_UTILGJENGELIG"
UGYLDIG_INTEGRASJON = "UGYLDIG_INTEGRASJON"
# Every authentication failure answers AUTENTISERING_FEILET; the audit record keeps the reason:
# UGYLDIG_TOKEN, UGYLDIG_INTEGRASJON (headers missing or malformed), UKJENT_INTEGRASJON,
# FEIL_ORGANISASJON (a token of an organisation not authorised to operate the integration), FEIL_PASSORD.
AUTENTISERING_FEILET = "AUTENTISERING_FEILET"
UKJENT_INTEGRASJON = "UKJENT_INTEGRASJON"
FEIL_PASSORD = "FEIL_PASSORD"
FOR_MANGE_FEILFORSOEK = "FOR_MANGE_FEILFORSOEK"
BEGRENSNING_UTILGJENGELIG = "BEGRENSNING_UTILGJENGELIG"
FOR_MANGE_FORESPOERSLER = "FOR_MANGE_FORESPOERSLER"
UGYLDIG_ROLLEID = "UGYLDIG_ROLLEID"
FEIL_ORGANISASJON = "FEIL_ORGANISASJON"
UKJENT_ROLLE = "UKJENT_ROLLE"
ROLLE_IKKE_TILDELT = "ROLLE_IKKE_TILDELT"
ROLLE_DEAKTIVERT = "ROLLE_DEAKTIVERT"  # an administrator deactivated the role: it authorises nothing
BRUKER_DEAKTIVERT = "BRUKER_DEAKTIVERT"
ROLLE_IKKE_GYLDIG_FOR_PORTAL = "ROLLE_IKKE_GYLDIG_FOR_PORTAL"  # a role without gyldighet `soekWeb`
ROLLE_IKKE_GYLDIG_FOR_API = "ROLLE_IKKE_GYLDIG_FOR_API"  # a role without gyldighet `api` (e.g. portal only)
UGYLDIG_PARAMETER = "UGYLDIG_PARAMETER"
UKJENT_RESSURS = "UKJENT_RESSURS"
METODE_IKKE_TILLATT = "METODE_IKKE_TILLATT"
IKKE_STOETTET_FORMAT = "IKKE_STOETTET_FORMAT"
IKKE_TILBUDT = "IKKE_TILBUDT"
REVISJONSLOGG_UTILGJENGELIG = "REVISJONSLOGG_UTILGJENGELIG"
INTERN_FEIL = "INTERN_FEIL"

#: How the gateway refuses a request body it cannot read (`http/json_body.py`).
BODY_CODES = BodyCodes(
    not_json="UGYLDIG_INNHOLDSTYPE", empty="UGYLDIG_FORESPOERSEL", malformed="UGYLDIG_FORESPOERSEL"
)
