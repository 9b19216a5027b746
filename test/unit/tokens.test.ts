import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { loadConfig } from '../../src/config';
import fc from 'fast-check';
import { mintToken, TokenError, TokenKeysUnavailable, tokenKey, tokenVerifier, verifyToken } from '../../src/security/tokens';

const SECRET = 'a-unit-test-secret-of-at-least-32-chars';
const now = new Date();

describe('bearer tokens (HS256)', () => {
  const config = loadConfig({ JWT_SECRET: SECRET, JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'customer-360' });
  const key = tokenKey(config);
  const mint = (claims: Partial<Parameters<typeof mintToken>[1]> = {}) =>
    mintToken(SECRET, {
      sub: 'u1',
      roles: ['agent'],
      ttlSeconds: 60,
      issuer: 'https://idp.example.com',
      audience: 'customer-360',
      ...claims,
    });

  it('accepts a token with the configured issuer and audience', async () => {
    const p = await verifyToken(await mint({ roles: ['agent', 'analyst'] }), key, config, now);
    expect(p).toEqual({ subject: 'u1', roles: new Set(['agent', 'analyst']), auth: 'jwt' });
  });

  it.each([
    ['another issuer', { issuer: 'https://evil.example.com' }],
    ['no issuer', { issuer: undefined }],
    ['another audience', { audience: 'someone-else' }],
  ])('refuses %s', async (_, claims) => {
    await expect(verifyToken(await mint(claims), key, config, now)).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('requires exp and sub', async () => {
    const noExp = await new SignJWT({ roles: ['agent'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('https://idp.example.com')
      .setAudience('customer-360')
      .sign(new TextEncoder().encode(SECRET));
    await expect(verifyToken(noExp, key, config, now)).rejects.toBeInstanceOf(TokenError);
  });

  it('keeps only known roles and reads partner scopes', async () => {
    const p = await verifyToken(
      await mint({ roles: ['partner', 'root' as never], scopes: ['profile', 'bogus' as never] }),
      key,
      config,
      now,
    );
    expect([...p.roles]).toEqual(['partner']);
    expect(p.partner).toEqual({ name: 'u1', scopes: new Set(['profile']), ratePerMinute: config.RATE_LIMIT_PER_MINUTE });
  });

  it('refuses a partner token that carries another role too', async () => {
    await expect(verifyToken(await mint({ roles: ['partner', 'agent'] }), key, config, now)).rejects.toMatchObject({
      reason: 'invalid',
      message: expect.stringMatching(/partner token may carry no other role/),
    });
  });

  it.each([
    ['an empty sub', ' '],
    ["an API key's subject", 'apikey:k_0123456789ab'],
    ["an API key's subject behind a space", ' apikey:k_0123456789ab'],
    ["an API key's subject in capitals", 'APIKEY:k_0123456789ab'],
    ['trailing whitespace', 'u1\t'],
    ['a control character', 'u1\napikey:k_0123456789ab'],
    ['an invisible format character', 'u\u202e1'],
    ['a sub over 200 characters', 'u'.repeat(201)],
    ["an API key's subject in full-width letters", '\uff41\uff50\uff49\uff4b\uff45\uff59:k_0123456789ab'],
    ['a character that renders as nothing', 'a\u034fpikey:k_0123456789ab'],
    ['a blank-looking letter', '\u3164'],
    ['a lone surrogate (stored as U+FFFD, colliding with others)', 'agent\ud800'],
  ])('refuses %s', async (_, sub) => {
    await expect(verifyToken(await mint({ sub }), key, config, now)).rejects.toMatchObject({
      reason: 'invalid',
      message: expect.stringMatching(/`sub`/),
    });
  });

  it('accepts a sub of 200 characters with inner spaces and non-ASCII letters', async () => {
    const sub = `Zoë Müller ${'x'.repeat(189)}`;
    await expect(verifyToken(await mint({ sub }), key, config, now)).resolves.toMatchObject({ subject: sub });
  });

  it('requires iat, and a token issued more than JWT_MAX_AGE_SECONDS ago has expired however long it says it lives', async () => {
    expect(config.JWT_MAX_AGE_SECONDS).toBe(2_592_000);
    const old = await mint({ ttlSeconds: 40 * 86_400 });
    const issuedLongAgo = await mintToken(
      SECRET,
      { sub: 'u1', roles: ['agent'], ttlSeconds: 40 * 86_400, issuer: 'https://idp.example.com', audience: 'customer-360' },
      new Date(now.getTime() - 31 * 86_400_000),
    );
    await expect(verifyToken(old, key, config, now)).resolves.toMatchObject({ subject: 'u1' });
    await expect(verifyToken(issuedLongAgo, key, config, now)).rejects.toMatchObject({ reason: 'expired' });
    const noIat = await new SignJWT({ roles: ['agent'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('https://idp.example.com')
      .setAudience('customer-360')
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
      .sign(new TextEncoder().encode(SECRET));
    await expect(verifyToken(noIat, key, config, now)).rejects.toMatchObject({ reason: 'invalid' });
  });
});

describe('remembered verified tokens', () => {
  const config = loadConfig({ JWT_SECRET: SECRET, JWT_CLOCK_SKEW_SECONDS: '30', JWT_MAX_AGE_SECONDS: '3600' });
  const key = tokenKey(config);
  const outcome = (p: Promise<unknown>) =>
    p.then(
      (principal) => ({ ok: principal }),
      (e: TokenError) => ({ refused: e.reason }),
    );

  it('answer at every instant what a fresh verification answers (exp, nbf, iat and the maximum age, with the skew)', async () => {
    const t0 = Date.UTC(2026, 5, 1) / 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -40, max: 40 }), // iat relative to the first use
        fc.integer({ min: 1, max: 7200 }), // lifetime
        fc.option(fc.integer({ min: -60, max: 60 })), // nbf relative to iat
        fc.array(fc.integer({ min: -60, max: 8000 }), { minLength: 1, maxLength: 6 }), // later uses, seconds after the first
        async (iatOffset, ttl, nbfOffset, uses) => {
          const iat = t0 + iatOffset;
          let jwt = new SignJWT({ roles: ['agent'] })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject('u1')
            .setIssuedAt(iat)
            .setExpirationTime(iat + ttl);
          if (nbfOffset !== null) jwt = jwt.setNotBefore(iat + nbfOffset);
          const token = await jwt.sign(new TextEncoder().encode(SECRET));
          const verify = tokenVerifier(key, config);
          for (const at of [0, ...uses].map((u) => new Date((t0 + u) * 1000))) {
            const cached = await outcome(verify(token, at));
            const fresh = await outcome(verifyToken(token, key, config, at));
            expect('ok' in cached ? 'ok' : cached).toEqual('ok' in fresh ? 'ok' : fresh);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('take a token again without verifying it, and never a token they refused', async () => {
    const verify = tokenVerifier(key, config);
    const token = await mintToken(SECRET, { sub: 'u1', roles: ['agent'], ttlSeconds: 60 });
    const first = await verify(token, new Date());
    // A fresh verification makes a new principal; a remembered one is the same object.
    expect(await verify(token, new Date())).toBe(first);
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verify(forged, new Date())).rejects.toMatchObject({ reason: 'invalid' });
    await expect(verify(forged, new Date())).rejects.toMatchObject({ reason: 'invalid' });
  });
});

describe('bearer tokens from a JWKS (RS256)', () => {
  let server: http.Server;
  let url: string;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const IDP = { JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'customer-360' };
  const signRs = () =>
    new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('ops')
      .setIssuer(IDP.JWT_ISSUER)
      .setAudience(IDP.JWT_AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
      .sign(privateKey);

  it('verifies RS256 tokens with the published key, and refuses HS256 ones (no algorithm confusion)', async () => {
    const config = loadConfig({ JWT_JWKS_URL: url, ...IDP });
    const key = tokenKey(config);
    expect((await verifyToken(await signRs(), key, config, now)).subject).toBe('ops');
    const hs = await mintToken(SECRET, {
      sub: 'ops',
      roles: ['admin'],
      ttlSeconds: 60,
      issuer: IDP.JWT_ISSUER,
      audience: IDP.JWT_AUDIENCE,
    });
    await expect(verifyToken(hs, key, config, now)).rejects.toMatchObject({ reason: 'invalid' });
  });

  it("reports an unreachable JWKS as the server's problem, not the caller's", async () => {
    const config = loadConfig({ JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json', ...IDP });
    await expect(verifyToken(await signRs(), tokenKey(config), config, now)).rejects.toBeInstanceOf(TokenKeysUnavailable);
  });

  it.each([
    ['answers 500', (res: http.ServerResponse) => res.writeHead(500).end('oops')],
    [
      'answers something other than JSON',
      (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'),
    ],
  ])('reports a JWKS endpoint that %s as unavailable (503), not as a bad token', async (_, answer) => {
    const broken = http.createServer((_req, res) => answer(res));
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    try {
      const config = loadConfig({ JWT_JWKS_URL: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/jwks.json`, ...IDP });
      await expect(verifyToken(await signRs(), tokenKey(config), config, now)).rejects.toBeInstanceOf(TokenKeysUnavailable);
    } finally {
      await new Promise((r) => broken.close(r));
    }
  });
});
