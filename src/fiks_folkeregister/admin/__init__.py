"""Configuration of the gateway: organisations, roles, integrations, grants and administrators."""
