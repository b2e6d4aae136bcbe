// An OpenID Connect provider for the tests: the npm package oidc-provider (OpenID Certified),
// on 127.0.0.1, with its development sign-in pages (any password; the login is the account).
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG: {"port": N, "clients": [{"client_id", "client_secret", "redirect_uris": [...],
//          "code_ttl": seconds (optional)}]}. Prints "ready ISSUER" when it listens.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

// The people: one whose verified address has an account at brokerlearn already, one with a
// department claim (enrolled into a group by it), one whose address the provider has not verified.
const people = {
  'alice': { email: 'alice@agency.example', email_verified: true, name: 'Alice Example' },
  'dora': { email: 'dora@agency.example', email_verified: true, name: 'Dora Department', department: 'Innovation' },
  'existing': { email: 'existing@agency.example', email_verified: true, name: 'Erik Existing' },
  'unverified': { email: 'existing@agency.example', email_verified: false, name: 'Not Verified' },
  'noaddress': { name: 'No Address' },
};

const codeTtl = Object.fromEntries(config.clients.map((c) => [c.client_id, c.code_ttl || 60]));

const provider = new Provider(issuer, {
  clients: config.clients.map(({ client_id, client_secret, redirect_uris }) => ({
    client_id, client_secret, redirect_uris,
    grant_types: ['authorization_code'], response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
  claims: {
    openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'department'],
  },
  conformIdTokenClaims: false, // the ID token carries the scopes' claims (as Entra ID and Keycloak send them)
  pkce: { required: () => true },
  ttl: { AuthorizationCode: (ctx, code, client) => codeTtl[client.clientId] || 60 },
  cookies: { keys: ['brokerlearn-tests-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  // The tests' own address is not public: the provider takes no TLS nor proxy headers.
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
