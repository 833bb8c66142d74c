"""Local identity providers for the tests and the demo: real implementations on 127.0.0.1.

`oidc_provider` is django-oauth-toolkit's OpenID Connect provider in a Django process of its
own; `saml_idp` is an IdP on pysaml2's own `saml2.server.Server`. Sikta talks to them exactly as
to SITHS through Inera, a kommun's Entra ID or Freja eID+: by their published metadata.
The people who can sign in are in identities.json (fictional).
"""
