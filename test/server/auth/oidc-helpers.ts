import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { keepCookies } from '../../cookie-jar.js';

/**
 * A real, certified OpenID provider (oidc-provider) on a loopback port, for tests and `npm run dev:oidc`.
 * Its login page is a one-field form (which person); consent is implied. Reused by the browser tests.
 */
export type TestUser = { sub: string; name?: string; [claim: string]: unknown };
export type TestClient = { clientId: string; clientSecret: string; redirectUri: string; postLogoutRedirectUri?: string };

export async function startTestProvider(opts: {
  users: TestUser[];
  clients: TestClient[];
  /** Claims beyond `sub` and `name` to release in the ID token (the roles claim, a rogue `org`). */
  claims?: string[];
  port?: number;
  idTokenTtlSeconds?: number;
}): Promise<{ issuer: string; stop: () => Promise<void>; provider: Provider }> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: Configuration = {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [c.redirectUri],
      post_logout_redirect_uris: c.postLogoutRedirectUri ? [c.postLogoutRedirectUri] : [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    claims: { openid: ['sub'], profile: ['name', ...(opts.claims ?? [])] },
    // Claims go in the ID token itself, which is all this service reads.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    ttl: { IdToken: opts.idTokenTtlSeconds ?? 12 * 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-provider-cookie-key-not-secret'] },
    async findAccount(_ctx, id) {
      const user = opts.users.find((u) => u.sub === id);
      if (!user) return undefined;
      return { accountId: id, claims: () => ({ ...user, sub: id }) };
    },
  };
  const provider = new Provider(issuer, config);
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const m = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url ?? '');
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (!m[2]) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          `<!doctype html><title>Test provider</title><form method="post" action="/interaction/${details.uid}/login">` +
            `<label>User <input name="user" id="user"></label><button type="submit" id="login">Sign in</button></form>`,
        );
        return;
      }
      const body = await new Promise<string>((r) => {
        let s = '';
        req.on('data', (d) => (s += d));
        req.on('end', () => r(s));
      });
      const sub = new URLSearchParams(body).get('user') ?? '';
      if (!opts.users.some((u) => u.sub === sub)) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown user' });
        return;
      }
      const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${(e as Error).message}`);
    }
  });
  return {
    issuer,
    provider,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A cookie-keeping HTTP client across origins that follows no redirect by itself, so tests can
 * tamper with or replay any hop. `follow` walks redirects and counts them.
 */
export function httpClient() {
  const jars = new Map<string, Map<string, string>>();
  const jarOf = (url: URL) => jars.get(url.host) ?? jars.set(url.host, new Map()).get(url.host)!;
  async function request(method: string, url: string, form?: Record<string, string>) {
    const u = new URL(url);
    const jar = jarOf(u);
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = u.origin;
    }
    const res = await fetch(u, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    keepCookies(jar, res);
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, u).toString() : null, text: await res.text(), url: u.toString() };
  }
  async function follow(method: string, url: string, form?: Record<string, string>, stopAt?: (url: string) => boolean) {
    let res = await request(method, url, form);
    let redirects = 0;
    while (res.location && res.status >= 300 && res.status < 400 && !stopAt?.(res.location) && redirects < 20) {
      redirects++;
      res = await request('GET', res.location);
    }
    return { ...res, redirects };
  }
  return { jars, request, follow, get: (url: string) => request('GET', url) };
}
export type HttpClient = ReturnType<typeof httpClient>;

/**
 * The whole sign-in over HTTP: the app's /sign-in/ORG, the provider's login form, back to the app's
 * callback and on to `returnTo`. Returns the client (its cookie jars hold the session) and the last hop.
 */
export async function signInOverHttp(appUrl: string, org: string, user: string, opts: { returnTo?: string; client?: HttpClient } = {}) {
  const client = opts.client ?? httpClient();
  const ret = opts.returnTo ? `?return=${encodeURIComponent(opts.returnTo)}` : '';
  const toLogin = await client.follow('GET', `${appUrl}/sign-in/${org}${ret}`);
  // Still signed in at the provider (single sign-on): straight back to the app, no login form.
  if (new URL(toLogin.url).origin === new URL(appUrl).origin) return { client, landed: toLogin, redirects: toLogin.redirects };
  const action = /<form method="post" action="([^"]+)">/.exec(toLogin.text)?.[1];
  if (!action) throw new Error(`no provider login form: ${toLogin.status} ${toLogin.text.slice(0, 200)}`);
  const landed = await client.follow('POST', new URL(action, toLogin.url).toString(), { user });
  return { client, landed, redirects: toLogin.redirects + landed.redirects };
}

/** The same, in a real browser page (playwright-core). */
export async function signInInBrowser(
  page: {
    goto(url: string): Promise<unknown>;
    fill(sel: string, v: string): Promise<void>;
    click(sel: string): Promise<void>;
    waitForURL(u: (url: URL) => boolean): Promise<void>;
  },
  appUrl: string,
  org: string,
  user: string,
  returnTo?: string,
) {
  await page.goto(`${appUrl}/sign-in/${org}${returnTo ? `?return=${encodeURIComponent(returnTo)}` : ''}`);
  await page.fill('#user', user);
  await page.click('#login');
  await page.waitForURL((u) => u.origin === new URL(appUrl).origin);
}
