// Test OpenID Connect identity provider for Touchpoint's integration tests and
// Playwright, built on oidc-provider (node-oidc-provider). Test use only.
//
// Contract:
//   Run:  node end2end/idp/server.mjs [--exit-with-parent]
//   Env:  IDP_PORT           port to listen on (default 0 = a free port)
//         IDP_REDIRECT_URIS  comma-separated redirect URIs registered for the clients (required)
//   --exit-with-parent: exit when stdin reaches EOF (spawn with a piped stdin).
//   Listens on 127.0.0.1. Once listening, prints exactly one line to stdout,
//   {"issuer":"http://127.0.0.1:PORT"}, and nothing else on stdout (logs go to stderr).
//   Discovery: <issuer>/.well-known/openid-configuration (authorize endpoint is /authorize).
//   Clients (confidential, client_secret_basic, authorization_code + code, PKCE S256 required):
//     touchpoint / touchpoint-secret, other / other-secret.
//   Scopes: openid (sub), email (email, email_verified), profile (name).
//   By default scope claims are only in UserInfo (conformIdTokenClaims); see /_test/config.
//   Users: seeded sub "sso-user" (sso.user@example.org, verified, "SSO User", password "sso password").
//   Login page at /interaction/:uid (title "Test identity provider", fields "Username" = sub,
//   "Password", button "Sign in"); consent is granted automatically, never shown.
//   Test control API (JSON):
//     PUT  /_test/users/:sub   {"email","email_verified","name","password"?} -> 204 (create/replace)
//     POST /_test/rotate-keys  -> 200 {"kid": "..."}  (new RS256 key; old key leaves the JWKS)
//     POST /_test/config       {"claims_in_id_token": bool} -> 204

import * as crypto from 'node:crypto';
import * as http from 'node:http';

// stdout carries only the issuer line: send every console output to stderr
// (oidc-provider prints its notices with console.info), and drop oidc-provider's
// "you SHOULD change this default" notices and the in-memory-adapter warning
// (repeated on every Provider rebuild); other warnings stay.
const toStderr = console.error.bind(console);
const noise = (m) => typeof m === 'string' && (m.includes('oidc-provider NOTICE') || m.includes('development-only'));
for (const name of ['log', 'info', 'debug', 'warn']) {
  console[name] = (...a) => { if (!noise(a[0])) toStderr(...a); };
}
const log = (...args) => toStderr('[idp]', ...args);

const { default: Provider } = await import('oidc-provider');

const args = process.argv.slice(2);
const PORT = Number(process.env.IDP_PORT ?? 0);
const REDIRECT_URIS = (process.env.IDP_REDIRECT_URIS ?? '')
  .split(',').map((s) => s.trim()).filter(Boolean);
if (REDIRECT_URIS.length === 0) {
  log('IDP_REDIRECT_URIS is required (comma-separated redirect URIs)');
  process.exit(2);
}
if (args.includes('--exit-with-parent')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

const DEFAULT_PASSWORD = 'sso password';
const users = new Map([
  ['sso-user', {
    email: 'sso.user@example.org', email_verified: true, name: 'SSO User', password: DEFAULT_PASSWORD,
  }],
]);

const COOKIE_KEYS = [crypto.randomBytes(32).toString('base64url')];
let signingJwk = newSigningKey();
let claimsInIdToken = false;
let issuer;
let provider; // the current Provider; replaced on key rotation / config change
let providerHandler;

function swapProvider() {
  provider = buildProvider();
  providerHandler = provider.callback();
}

function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: crypto.randomBytes(12).toString('base64url'),
    alg: 'RS256',
    use: 'sig',
  };
}

function buildProvider() {
  const clients = [['touchpoint', 'touchpoint-secret'], ['other', 'other-secret']]
    .map(([client_id, client_secret]) => ({
      client_id,
      client_secret,
      redirect_uris: REDIRECT_URIS,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }));
  const p = new Provider(issuer, {
    clients,
    jwks: { keys: [signingJwk] },
    cookies: { keys: COOKIE_KEYS },
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: !claimsInIdToken,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    routes: { authorization: '/authorize' },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: () => false,
    async findAccount(ctx, sub) {
      if (!users.has(sub)) return undefined;
      return {
        accountId: sub,
        async claims() {
          const u = users.get(sub); // read at claim time
          return u ? { sub, email: u.email, email_verified: u.email_verified, name: u.name } : { sub };
        },
      };
    },
    async renderError(ctx, out, error) {
      log('error page:', out, error?.message ?? error);
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Error</h1><pre>${esc(JSON.stringify(out, null, 2))}</pre>`);
    },
  });
  p.on('server_error', (ctx, err) => log('server_error', err));
  return p;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>`
    + `<body>${body}</body></html>`;
}

function loginPage(uid, error) {
  return page('Test identity provider', `<h1>Test identity provider</h1>
${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label for="login">Username</label> <input id="login" name="login" type="text" autofocus><br>
  <label for="password">Password</label> <input id="password" name="password" type="password"><br>
  <button type="submit">Sign in</button>
</form>`);
}

function send(res, status, body, type) {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}
const sendJson = (res, status, obj) => send(res, status, JSON.stringify(obj), 'application/json');
const sendHtml = (res, status, html) => send(res, status, html, 'text/html; charset=utf-8');

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req) {
  const text = await readBody(req);
  return text ? JSON.parse(text) : {};
}

async function grantConsent(details) {
  const { prompt: { details: missing }, params, session: { accountId } } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return grant.save();
}

async function handleInteraction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return sendHtml(res, 400, page('Error', '<p>Interaction mismatch.</p>'));
  const prompt = details.prompt.name;

  if (action === undefined && req.method === 'GET') {
    if (prompt === 'login') return sendHtml(res, 200, loginPage(uid));
    if (prompt === 'consent') {
      const grantId = await grantConsent(details);
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    return sendHtml(res, 400, page('Error', `<p>Unsupported prompt ${esc(prompt)}.</p>`));
  }

  if (action === 'login' && req.method === 'POST') {
    if (prompt !== 'login') return sendHtml(res, 400, page('Error', '<p>Not a login interaction.</p>'));
    const form = new URLSearchParams(await readBody(req));
    const accountId = form.get('login') ?? '';
    const user = users.get(accountId);
    if (!user || user.password !== (form.get('password') ?? '')) {
      return sendHtml(res, 200, loginPage(uid, 'Wrong username or password.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }

  return send(res, 405);
}

async function handleTest(req, res, path) {
  let m;
  if (req.method === 'PUT' && (m = path.match(/^\/_test\/users\/([^/]+)$/))) {
    const sub = decodeURIComponent(m[1]);
    const b = await readJson(req);
    if (typeof b.email !== 'string' || typeof b.email_verified !== 'boolean' || typeof b.name !== 'string'
        || (b.password !== undefined && typeof b.password !== 'string')) {
      return sendJson(res, 400, { error: 'expected {email: string, email_verified: bool, name: string, password?: string}' });
    }
    users.set(sub, {
      email: b.email, email_verified: b.email_verified, name: b.name, password: b.password ?? DEFAULT_PASSWORD,
    });
    log(`user ${sub} set`);
    return send(res, 204);
  }
  if (req.method === 'POST' && path === '/_test/rotate-keys') {
    signingJwk = newSigningKey();
    swapProvider();
    log(`signing key rotated, kid ${signingJwk.kid}`);
    return sendJson(res, 200, { kid: signingJwk.kid });
  }
  if (req.method === 'POST' && path === '/_test/config') {
    const b = await readJson(req);
    if (typeof b.claims_in_id_token !== 'boolean') {
      return sendJson(res, 400, { error: 'expected {claims_in_id_token: bool}' });
    }
    claimsInIdToken = b.claims_in_id_token;
    swapProvider();
    log(`claims_in_id_token = ${claimsInIdToken}`);
    return send(res, 204);
  }
  return sendJson(res, 404, { error: 'not found' });
}

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  try {
    if (path.startsWith('/_test/')) return await handleTest(req, res, path);
    const m = path.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (m) return await handleInteraction(req, res, m[1], m[2]);
    return providerHandler(req, res);
  } catch (err) {
    log(`${req.method} ${req.url}:`, err);
    if (!res.headersSent) {
      const status = err instanceof SyntaxError ? 400 : (err?.statusCode ?? err?.status ?? 500);
      sendJson(res, status, { error: err?.error ?? 'server_error', error_description: String(err?.error_description ?? err?.message ?? err) });
    } else {
      res.end();
    }
  }
});

server.listen(PORT, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  swapProvider();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
