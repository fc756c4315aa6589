"""A local stand-in for ID-porten (OpenID Connect), served by the project as the embedded token issuer stands
in for Maskinporten: discovery, JWKS, authorize (a test login page), token and end-session."""
