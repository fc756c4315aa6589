"""The catalogue of legal bases (`lovhjemler`) a role's legal basis is chosen from, per service area."""

from __future__ import annotations

from sqlalchemy import Connection

from fiks_folkeregister.admin.base import AdminBase
from fiks_folkeregister.admin.errors import bad_request
from fiks_folkeregister.domain.rolle import RoleDefinitionError, role_area
from fiks_folkeregister.domain.tjenesteomrade import STANDARD_LOVHJEMLER, Lovhjemmel, lovhjemler_for


class Lovhjemler(AdminBase):
    """Reading the catalogue of legal bases; every actor may read it (it names laws, nobody's data)."""

    def list_lovhjemler(self, omrade: str | None = None) -> list[Lovhjemmel]:
        """Every legal basis, or those serving one service area (an unknown area: 400 naming the valid)."""
        with self._engine.connect() as connection:
            catalogue = self._legal_bases(connection)
        if omrade is None:
            return list(catalogue)
        try:
            area = role_area(omrade)
        except RoleDefinitionError as error:
            raise bad_request(error.code, error.message, **error.details) from None
        return list(lovhjemler_for(catalogue, area))

    def _legal_bases(self, connection: Connection) -> tuple[Lovhjemmel, ...]:
        """The catalogue as it stands, read in the caller's transaction."""
        del connection  # the fixed catalogue for now
        return STANDARD_LOVHJEMLER
