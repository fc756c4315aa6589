"""The audit log of lookups: who looked up whom, when, with which role."""
