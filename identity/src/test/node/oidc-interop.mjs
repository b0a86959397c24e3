// Drives panva's openid-client (a certified OpenID Connect relying-party library) against a running
// Bulwark identity provider, and prints one JSON object of what each step returned, for the Java
// test (OpenIdClientInteropTest) to assert on. A step that throws is recorded with its error, so
// the test reports which step failed rather than a bare exit code.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USERNAME, PASSWORD, TOTP_SECRET,
// SCOPE, CC_CLIENT_ID, CC_CLIENT_SECRET; NODE_EXTRA_CA_CERTS points at the test CA.
import * as client from 'openid-client';
import { authenticator } from 'otplib';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const result = {};
const step = async (name, fn) => {
  try {
    result[name] = await fn();
  } catch (e) {
    result[name] = { error: e.code || e.name, message: e.message, oauth: e.error, status: e.status };
  }
  return result[name];
};

// A minimal scripted browser: a cookie jar, no automatic redirects, HTML forms filled by field name.
const cookies = new Map();
const remember = (response) => {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
};
const browse = async (url, init = {}) => {
  const headers = { ...(init.headers || {}) };
  if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  remember(response);
  return response;
};
const decode = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attribute = (tag, name) => {
  const match = tag.match(new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i'));
  return match ? decode(match[2] ?? match[3]) : undefined;
};
const postForms = (html) => {
  const forms = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    if ((attribute(match[1], 'method') || 'get').toLowerCase() !== 'post') continue;
    const fields = [];
    for (const input of match[2].matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const name = attribute(input[2], 'name');
      if (name) fields.push({ name, type: (attribute(input[2], 'type') || 'text').toLowerCase(), value: attribute(input[2], 'value') ?? '' });
    }
    forms.push({ action: attribute(match[1], 'action') || '', fields });
  }
  return forms;
};
const fill = (form, answers) => {
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'submit') continue;
    const answer = answers(field);
    body.append(field.name, answer ?? field.value);
  }
  return body;
};

// Signs in through the provider's own pages until it redirects to the client, and returns that URL.
const signIn = async (authorizationUrl, redirectUri, answers) => {
  let response = await browse(authorizationUrl);
  let url = authorizationUrl;
  const pages = [];
  for (let hop = 0; hop < 12; hop++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return { callback: next, pages };
      url = next;
      response = await browse(next);
      continue;
    }
    const html = await response.text();
    pages.push(response.status);
    const forms = postForms(html);
    if (response.status !== 200 || forms.length === 0) {
      throw new Error(`sign-in stopped at ${url} with status ${response.status}: ${html.slice(0, 300)}`);
    }
    // The first form that asks for something we can answer; else the first form.
    const form = forms.find((f) => f.fields.some((field) => answers(field) !== undefined)) || forms[0];
    const action = new URL(form.action || url, url);
    response = await browse(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fill(form, answers).toString(),
    });
    url = action;
  }
  throw new Error('sign-in did not finish within 12 requests');
};

const issuer = new URL(env('ISSUER'));
const redirectUri = env('REDIRECT_URI');
const config = await client.discovery(issuer, env('CLIENT_ID'), undefined, client.ClientSecretBasic(env('CLIENT_SECRET')));
result.discovery = {
  issuer: config.serverMetadata().issuer,
  authorization_endpoint: config.serverMetadata().authorization_endpoint,
  code_challenge_methods_supported: config.serverMetadata().code_challenge_methods_supported,
};

const codeVerifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: env('SCOPE'),
  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: 'S256',
  state,
  nonce,
  acr_values: 'urn:bulwark:acr:mfa',
});

const totpSecret = env('TOTP_SECRET');
// The test may run the provider's clock ahead of real time (a TOTP step is accepted only once, and
// enrollment used the current one); the code is computed for the provider's time.
const totp = () => {
  authenticator.options = { epoch: Date.now() + Number(process.env.TOTP_OFFSET_SECONDS || 0) * 1000 };
  return authenticator.generate(totpSecret);
};
const answers = (field) => {
  const name = field.name.toLowerCase();
  if (field.type === 'hidden' || name.includes('recovery')) return undefined;
  if (name.includes('user')) return env('USERNAME');
  if (name.includes('pass')) return env('PASSWORD');
  if (/(^|_)(code|otp|totp)$/.test(name) || name.includes('totp') || name === 'otp') return totp();
  return undefined;
};

const tokens = await step('authorization_code', async () => {
  const { callback, pages } = await signIn(authorizationUrl.href, redirectUri, answers);
  const response = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return {
    pages,
    iss_in_callback: callback.searchParams.get('iss'),
    access_token: response.access_token,
    refresh_token: response.refresh_token,
    token_type: response.token_type,
    scope: response.scope,
    id_token_claims: response.claims(),
  };
});

if (tokens.access_token) {
  const sub = tokens.id_token_claims.sub;
  await step('userinfo', () => client.fetchUserInfo(config, tokens.access_token, sub));
  const refreshed = await step('refresh', async () => {
    const response = await client.refreshTokenGrant(config, tokens.refresh_token);
    return { access_token: response.access_token, refresh_token: response.refresh_token, scope: response.scope };
  });
  await step('introspect_active', () => client.tokenIntrospection(config, refreshed.access_token));
  await step('revoke', async () => {
    await client.tokenRevocation(config, refreshed.access_token);
    return { revoked: true };
  });
  await step('introspect_revoked', () => client.tokenIntrospection(config, refreshed.access_token));
  // The refresh token used above, presented again: reuse, which must fail and end the family.
  await step('refresh_reuse', async () => {
    const response = await client.refreshTokenGrant(config, tokens.refresh_token);
    return { access_token: response.access_token };
  });
  await step('refresh_after_reuse', async () => {
    const response = await client.refreshTokenGrant(config, refreshed.refresh_token);
    return { access_token: response.access_token };
  });
}

const service = await client.discovery(issuer, env('CC_CLIENT_ID'), undefined, client.ClientSecretBasic(env('CC_CLIENT_SECRET')));
await step('client_credentials', async () => {
  const response = await client.clientCredentialsGrant(service, {});
  return { access_token: response.access_token, token_type: response.token_type, expires_in: response.expiresIn() };
});

process.stdout.write(JSON.stringify(result));
