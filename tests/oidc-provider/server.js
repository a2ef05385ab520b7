// A real OpenID Connect provider for NetOps' login tests: the certified oidc-provider on 127.0.0.1, one confidential
// client (authorization code + PKCE), its development login form (any login name, any password) and fixed test accounts.
//
//   node server.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// The issuer is http://127.0.0.1:PORT. Scope "netops" adds the claims groups (Keycloak/Authentik style) and netops_events.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error('usage: node server.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}

// Claims per login name; any other name logs in with no NetOps claims at all (like "nobody").
const accounts = {
  alice: { name: 'Alice Operator', groups: ['/netops/operators', '/wiki/editors'] },
  carol: { name: 'Carol Coordinator', groups: ['/netops/coordinators'], netops_events: ['kerwe'] },
  nobody: { name: 'Nobody', groups: ['/wiki/editors'] },
};

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: ['openid', 'profile', 'netops'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    netops: ['groups', 'netops_events'],
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // A first-party client: no consent page, the login is the only interaction.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile netops');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts[id] ?? {};
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...account };
      },
    };
  },
});

provider.on('server_error', (ctx, error) => console.error(`ERROR server_error: ${error.message}`));
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
