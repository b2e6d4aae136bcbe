"""Single sign-on with OpenID Connect providers (issue 22, item 2).

The admin configures providers (`brokerlearn sso add-provider`, providers.py); the sign-in page
offers "Sign in with NAME" for each. A sign-in (flow.py) is the authorization code flow with
PKCE (S256), state and nonce, the provider found by discovery from its issuer URL
(discovery.py); the ID token is checked against the provider's JWKS, issuer, audience, expiry
and nonce (tokens.py). Authlib does the protocol work: the authorization URL with its PKCE
challenge, the token request with client authentication, the ID token's claims (its `oidc.core`
rules), joserfc (Authlib's own JOSE library) the signature. accounts.py decides which account
signs in: the one linked to (issuer, subject), else one linked after the person confirms with
its password, else a new one; views.py holds the pages under /account/sso/.
"""
