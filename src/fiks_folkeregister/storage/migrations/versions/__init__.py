"""Revisions of the gateway database."""
