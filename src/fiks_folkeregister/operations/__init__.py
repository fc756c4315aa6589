"""Running the gateway: metrics, structured logs, request observation, readiness."""
