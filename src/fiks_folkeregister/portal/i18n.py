"""Message catalogues: every ``*.po`` of a language read with Babel at start-up and merged (nothing compiled
is committed). Message ids are English; the bokmål text is in ``locale/nb/LC_MESSAGES/*.po``."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGE = "nb"


def load_translations(locale_dir: Path = LOCALE_DIR, language: str = LANGUAGE) -> Translations:
    """Every ``.po`` file in ``<locale_dir>/<language>/LC_MESSAGES``, merged in file-name order.

    A message id found in two files must have the same text in both (two engineers' files must not
    silently disagree); a fuzzy or empty entry counts as untranslated.
    """
    directory = locale_dir / language / "LC_MESSAGES"
    merged = Translations()
    seen: dict[str, tuple[str, object]] = {}
    for path in sorted(directory.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            key = f"{message.context or ''}\x04{message.id}"
            previous = seen.get(key)
            if previous is not None and previous[1] != message.string:
                raise ValueError(f"{path.name} and {previous[0]} translate {key!r} differently")
            seen[key] = (path.name, message.string)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        merged.merge(Translations(fp=buffer))
    return merged


def untranslated(locale_dir: Path, language: str, message_ids: set[str]) -> set[str]:
    """The message ids among ``message_ids`` that no catalogue of the language translates."""
    translations = load_translations(locale_dir, language)
    return {message for message in message_ids if translations.gettext(message) == message}
