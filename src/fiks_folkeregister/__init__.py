"""A municipal gateway to the Norwegian population register (Folkeregisteret)."""

__version__ = "0.1.0"
