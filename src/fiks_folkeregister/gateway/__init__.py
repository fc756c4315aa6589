"""The product's machine API: the register mirrored under `/folkeregister/api/v1/{rolleId}/`."""
