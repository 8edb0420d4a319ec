// A real OpenID Connect provider (node oidc-provider) standing in for Entra ID in tests.
//
//   node provider.mjs            reads its settings as JSON from the OIDC_TEST_CONFIG environment variable:
//   { port, tenantId, portal: { clientId, clientSecret, redirectUris, postLogoutRedirectUris, audience, jwks? },
//     apps: [{ clientId, clientSecret, oid, roles }], users: [{ username, oid, name, roles }] }
//
// Prints "listening <issuer>" once it answers. Entra's claim shape is kept: oid, tid, name, preferred_username and
// roles in id tokens; access tokens are JWTs for the portal's audience with roles, as Entra issues for app roles.
//
// With portal.jwks the portal authenticates at the token endpoint with a client assertion signed by its certificate
// (private_key_jwt, as Entra ID takes certificate credentials) instead of its client secret.
//
// Besides the provider it serves what the tests need and Entra would never offer:
//   GET  /interaction/:uid           a minimal login page (choose a user, or cancel)
//   POST /test/sign                  signs a JSON claim set with the provider's key (or {"key":"next"}: an unpublished one)
//   POST /test/publish-next-key      starts publishing the next key in the JWKS (a key rollover)
import http from 'node:http';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const settings = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const issuer = `http://127.0.0.1:${settings.port}`;
const users = new Map(settings.users.map((u) => [u.username, u]));
// The provider's account id (and so sub) is the user's oid.
const usersByOid = new Map(settings.users.map((u) => [u.oid, u]));
const apps = new Map(settings.apps.map((a) => [a.clientId, a]));

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}
const current = await signingKey('current');
const next = await signingKey('next');
let nextPublished = false;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.portal.clientId,
      redirect_uris: settings.portal.redirectUris,
      post_logout_redirect_uris: settings.portal.postLogoutRedirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...(settings.portal.jwks
        ? { token_endpoint_auth_method: 'private_key_jwt', jwks: settings.portal.jwks }
        : { client_secret: settings.portal.clientSecret, token_endpoint_auth_method: 'client_secret_post' }),
    },
    ...settings.apps.map((a) => ({
      client_id: a.clientId,
      client_secret: a.clientSecret,
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
  ],
  // Only the current key signs; the next one is published on request (rollover) and used by /test/sign.
  jwks: { keys: [current.jwk] },
  findAccount: async (_ctx, id) => {
    const user = usersByOid.get(id);
    return user && {
      accountId: id,
      claims: async () => ({
        sub: user.oid, oid: user.oid, tid: settings.tenantId, name: user.name,
        preferred_username: user.username, email: user.username, roles: user.roles,
      }),
    };
  },
  claims: { openid: ['sub', 'oid', 'tid', 'roles'], profile: ['name', 'preferred_username'], email: ['email'] },
  // Entra puts the profile claims in the id token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  ttl: { AccessToken: 600, ClientCredentials: 600, IdToken: 600, Grant: 3600, Interaction: 600, Session: 3600, AuthorizationCode: 60 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => settings.portal.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'access_as_user',
        audience: settings.portal.audience,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    const app = apps.get(token.clientId);
    if (app) {
      return { tid: settings.tenantId, oid: app.oid, azp: app.clientId, roles: app.roles };
    }
    const user = usersByOid.get(token.accountId);
    return user && { tid: settings.tenantId, oid: user.oid, name: user.name, preferred_username: user.username, roles: user.roles };
  },
  // No consent screen: an enterprise app's consent is granted by the tenant admin.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><h1>${escape(out.error)}</h1><p>${escape(out.error_description ?? '')}</p>`;
  },
});
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

const loginPage = (uid, client) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - test identity provider</title></head>
<body>
<h1>Test identity provider</h1>
<p>Sign in to <strong>${escape(client)}</strong></p>
<form method="post" action="/interaction/${uid}/login">
  <label for="login">Account</label>
  <select id="login" name="login">${[...users.keys()].map((u) => `<option value="${escape(u)}">${escape(u)}</option>`).join('')}</select>
  <button type="submit" id="sign-in">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit" id="cancel">Cancel</button></form>
</body></html>`;

const handleProvider = provider.callback();

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const interaction = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
    if (interaction && req.method === 'GET' && !interaction[2]) {
      const details = await provider.interactionDetails(req, res);
      return send(res, 200, 'text/html; charset=utf-8', loginPage(details.uid, details.params.client_id));
    }
    if (interaction && req.method === 'POST' && interaction[2] === 'login') {
      const login = new URLSearchParams(await readBody(req)).get('login');
      if (!users.has(login)) {
        return send(res, 400, 'text/plain', 'unknown account');
      }
      return await provider.interactionFinished(req, res, { login: { accountId: users.get(login).oid } }, { mergeWithLastSubmission: false });
    }
    if (interaction && req.method === 'POST' && interaction[2] === 'abort') {
      await readBody(req);
      return await provider.interactionFinished(req, res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, { mergeWithLastSubmission: false });
    }
    if (url.pathname === '/test/sign' && req.method === 'POST') {
      const { payload, key } = JSON.parse(await readBody(req));
      const signer = key === 'next' ? next : current;
      const jws = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' }).sign(signer.privateKey);
      return send(res, 200, 'text/plain', jws);
    }
    if (url.pathname === '/test/publish-next-key' && req.method === 'POST') {
      nextPublished = true;
      return send(res, 204, 'text/plain', '');
    }
    if (url.pathname === '/jwks' && req.method === 'GET') {
      // The provider's own JWKS plus, after a rollover, the next key.
      const keys = [current.jwk, ...(nextPublished ? [next.jwk] : [])]
        .map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use }));
      return send(res, 200, 'application/json', JSON.stringify({ keys }));
    }
    return handleProvider(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) {
      send(res, 500, 'text/plain', String(err?.message ?? err));
    }
  }
});

server.listen(settings.port, '127.0.0.1', () => console.log(`listening ${issuer}`));
