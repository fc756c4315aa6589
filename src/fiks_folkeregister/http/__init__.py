"""The HTTP toolkit every app shares: errors and their two bodies, the JSON body reader, content
negotiation, entity tags, and the ASGI middleware that caps request bodies at the edge."""
