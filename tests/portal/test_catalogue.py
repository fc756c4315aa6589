"""Every string a user reads on the portal's and the stand-in's pages is in a bokmål catalogue."""

from __future__ import annotations

from pathlib import Path

from jinja2.ext import babel_extract

from fiks_folkeregister.idporten import api as idporten_api
from fiks_folkeregister.idporten import provider
from fiks_folkeregister.portal import roles, routes
from fiks_folkeregister.portal.i18n import load_translations
from fiks_folkeregister.portal.web import TEMPLATES_DIR

PACKAGE = Path(routes.__file__).parents[1]


def _template_messages(directory: Path) -> set[str]:
    found: set[str] = set()
    for template in directory.glob("*.html"):
        with template.open("rb") as handle:
            for _, function, message, _ in babel_extract(
                handle, ["_", "gettext"], [], {"extensions": "jinja2.ext.i18n"}
            ):
                if function in ("_", "gettext") and isinstance(message, str):
                    found.add(message)
    return found


def _python_messages() -> set[str]:
    found = {text for _, title, text in routes._LOGIN_FAILURES.values() for text in (title, text)}
    return found | set(roles.USAGE.values())


def _stand_in_messages() -> set[str]:
    found = {text for _, text in idporten_api.LEVEL_CHOICES}
    for number in ("", "12x", "1234", "17912099998", "99912099990"):
        problem = provider.login_problem(number)
        if problem:
            found.add(problem)
    return found


def test_every_message_of_the_portal_pages_is_translated() -> None:
    translations = load_translations()
    messages = _template_messages(TEMPLATES_DIR) | _python_messages()
    missing = sorted(message for message in messages if translations.gettext(message) == message)
    assert len(messages) > 40
    assert not missing


def test_every_message_of_the_stand_in_is_translated() -> None:
    translations = load_translations(PACKAGE / "idporten" / "locale")
    messages = _template_messages(PACKAGE / "idporten" / "templates") | _stand_in_messages()
    missing = sorted(message for message in messages if translations.gettext(message) == message)
    assert (
        "National identity number" in messages
        and translations.gettext("National identity number") == "Fødselsnummer"
    )
    assert translations.gettext("Log in") == "Logg inn"
    assert not missing


def test_two_catalogues_may_not_translate_one_message_differently(tmp_path: Path) -> None:
    import pytest

    directory = tmp_path / "nb" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    for name, text in (("a.po", "Logg ut"), ("b.po", "Logg av")):
        (directory / name).write_text(
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Log out"\nmsgstr "{text}"\n'
        )
    with pytest.raises(ValueError, match="differently"):
        load_translations(tmp_path)
