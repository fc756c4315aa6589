"""Alembic migrations of the gateway database (a package so that installs from a wheel carry them)."""
