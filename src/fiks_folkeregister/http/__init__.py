"""The HTTP toolkit shared by every app: ASGI middleware that guards the edge before any app code runs."""
