"""The gateway's own database: organisations, roles, integrations, grants, administrators and logs."""
