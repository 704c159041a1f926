// A real OpenID provider (panva's oidc-provider) for the single sign-on tests.
//
//   node tests/sso/oidc_provider.mjs <port> <config.json>
//
// config.json: {"client_id", "client_secret", "redirect_uri", "accounts": {"<login>": {claims}}}.
// The provider's own sign-in pages (its development interactions) take any password; the test
// signs in with an account's login. PKCE is required. For the refusal tests, an account may ask for
// its ID token to be re-signed, with the provider's real key, with one claim wrong:
// "tamper": "aud" | "iss" | "exp". Prints "READY <issuer>" when it listens.
import { readFileSync } from 'node:fs';
import { generateKeyPair, exportJWK, importJWK, SignJWT, decodeJwt } from 'jose';
import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const signingKey = await importJWK(jwk, 'RS256');

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: [config.redirect_uri],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  cookies: { keys: ['test-cookie-key'] },
  async findAccount(ctx, sub) {
    const account = config.accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, async claims() { return { sub, ...account.claims }; } };
  },
});

// The refusal accounts: the token response's ID token, re-signed with one claim wrong.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  const tamper = (config.accounts[claims.sub] || {}).tamper;
  if (!tamper) return;
  const now = Math.floor(Date.now() / 1000);
  if (tamper === 'aud') claims.aud = 'another-client';
  if (tamper === 'iss') claims.iss = 'http://127.0.0.1:1/another-issuer';
  if (tamper === 'exp') { claims.iat = now - 7200; claims.exp = now - 3600; }
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(signingKey),
  };
});

provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`READY ${issuer}\n`);
});
