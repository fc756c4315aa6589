"""The gateway's way to the register: one port, interchangeable adapters (in-process now, HTTP later)."""
