"""The admin service: every use case of the gateway's configuration, each one transaction, each change in
the change log. One module per record type; this class only puts them together."""

from __future__ import annotations

from fiks_folkeregister.admin.administrators import Administrators
from fiks_folkeregister.admin.grants import Grants
from fiks_folkeregister.admin.integrations import Integrations
from fiks_folkeregister.admin.logs import Logs
from fiks_folkeregister.admin.organisations import Organisations
from fiks_folkeregister.admin.orgkonfigurasjon import OrganisationConfigurations
from fiks_folkeregister.admin.roles import Roles
from fiks_folkeregister.admin.users import Users


class AdminService(
    Organisations, OrganisationConfigurations, Roles, Integrations, Users, Grants, Administrators, Logs
):
    """Organisations (and their Folkeregister configuration), roles, integrations, person users, grants and
    administrators; reading the logs.

    Built with `AdminService(engine, passwords, audit[, clock])` (see `admin.base.AdminBase`).
    """
