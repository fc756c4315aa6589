"""Every string an administrator reads on the administration pages is in a bokmål catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

from jinja2.ext import babel_extract

from fiks_folkeregister.adminsider import (
    avvisninger,
    endringslogg,
    oppslagslogg,
    oversikt,
    roller,
    visning,
    web,
)
from fiks_folkeregister.portal.i18n import load_translations
from fiks_folkeregister.portal.web import LOCALE_DIR as PORTAL_LOCALE_DIR


def template_messages(directory: Path) -> set[str]:
    found: set[str] = set()
    for template in directory.rglob("*.html"):
        with template.open("rb") as handle:
            for _, function, message, _ in babel_extract(
                handle, ["_", "gettext"], [], {"extensions": "jinja2.ext.i18n"}
            ):
                if function in ("_", "gettext") and isinstance(message, str):
                    found.add(message)
    return found


def page_errors(directory: Path) -> set[str]:
    """The title and message of every ``PageError(status, "title", "message")`` in the room's code."""
    found: set[str] = set()
    for source in directory.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PageError":
                found |= {arg.value for arg in node.args[1:3] if isinstance(arg, ast.Constant)}
    return found


def python_messages() -> set[str]:
    found = {item.label for item in web.NAVIGATION} | page_errors(Path(web.__file__).parent)
    found |= set(endringslogg.ACTIONS.values()) | {words for words, _ in oversikt.STATUSES.values()}
    found |= set(visning.MESSAGES) | set(oppslagslogg.MESSAGES) | set(roller.MESSAGES)
    for title, message in (*avvisninger.REFUSALS.values(), avvisninger.REFUSED):
        found |= {title, message}
    return found


def merged_catalogue():  # type: ignore[no-untyped-def]
    """As the app merges them: the portal's catalogue, then the administration pages'."""
    translations = load_translations(PORTAL_LOCALE_DIR)
    translations.merge(load_translations(web.LOCALE_DIR))
    return translations


def test_every_message_of_the_admin_pages_is_translated() -> None:
    translations = merged_catalogue()
    messages = template_messages(web.TEMPLATES_DIR) | python_messages()
    missing = sorted(message for message in messages if translations.gettext(message) == message)
    assert len(messages) > 100 and "Give the integration a name. Nothing was saved." in messages
    assert not missing
    assert translations.gettext("Change log") == "Endringslogg"
