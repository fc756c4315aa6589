"""The gateway's way to the register: one port, interchangeable adapters (in-process and HTTP)."""
