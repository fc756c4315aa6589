"""Events (hendelser) in the embedded register: tables, the event log, the simulator's world, the feed, routes."""
