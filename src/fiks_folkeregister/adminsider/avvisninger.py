"""The admin service's refusals (``AdminError``: status, code) explained to an administrator in bokmål.

Each known code has a title and a message (English message ids, translated in ``locale/nb``); a page may
pass ``{name}`` values. An unknown code is still explained (the change was refused, nothing was saved) and
names the code. Add a page group's own codes to ``REFUSALS``.
"""

from __future__ import annotations

from typing import Any

from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.portal.web import PageError

NOTHING_SAVED = "Nothing was saved."

#: code → (title, message); both message ids.
REFUSALS: dict[str, tuple[str, str]] = {
    "UGYLDIG_NAVN": ("The name is not valid", "A name must have 1 to 200 characters. Nothing was saved."),
    "UGYLDIG_ORGNR": (
        "The organisation number is not valid",
        "An organisation number has 9 digits and a valid check digit. Check the number. Nothing was saved.",
    ),
    "UGYLDIG_FOEDSELSNUMMER": (
        "The national identity number is not valid",
        "A national identity number (or D number) has 11 digits and valid check digits. Check the number. "
        "Nothing was saved.",
    ),
    "UGYLDIG_IDENTIFIKATOR": (
        "The page was not found",
        "The address does not name anything here. Nothing was saved.",
    ),
    "ORGANISASJON_FINNES_IKKE": (
        "The page was not found",
        "There is no such organisation among those you administer, or no such page. Choose an organisation "
        "on the start page.",
    ),
    "ROLLE_FINNES_IKKE": (
        "The role was not found",
        "The role does not exist in this organisation (it may have been deleted). Nothing was saved.",
    ),
    "INTEGRASJON_FINNES_IKKE": (
        "The integration was not found",
        "The integration does not exist in this organisation (it may have been deleted). Nothing was saved.",
    ),
    "BRUKER_FINNES_IKKE": (
        "The user was not found",
        "The user does not exist in this organisation. Nothing was saved.",
    ),
    "TILDELING_FINNES_IKKE": (
        "The access was not found",
        "The role is not granted to that integration or user (it may already have been revoked). Nothing was "
        "saved.",
    ),
    "BRUKER_FINNES": (
        "The user already exists",
        "This person is already a user in the organisation. Nothing was saved.",
    ),
    "ROLLE_FINNES": (
        "The role already exists",
        "The organisation already has a role with that name. Choose another name. Nothing was saved.",
    ),
    "KREVER_OPERATOER": (
        "Only the platform operator may do this",
        "This change is made by the platform operator. Nothing was saved.",
    ),
    "KUN_ORGANISASJONENS_ADMINISTRATOR": (
        "Only the organisation's administrators may see this",
        "The organisation's lookup log is read by its own administrators; the platform operator manages the "
        "configuration only.",
    ),
}
REFUSED = (
    "The change was refused",
    "The change could not be made (code {code}). Nothing was saved.",
)


def refusal(error: AdminError, **values: Any) -> PageError:
    """The refusal as a page: same status, its explanation in the catalogue's words."""
    title, message = REFUSALS.get(error.code, REFUSED)
    return PageError(error.status, title, message, code=error.code, **values)
