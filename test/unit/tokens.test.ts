import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { loadConfig } from '../../src/config';
import { mintToken, TokenError, TokenKeysUnavailable, tokenKey, verifyToken } from '../../src/security/tokens';

const SECRET = 'a-unit-test-secret-of-at-least-32-chars';
const now = new Date();

describe('bearer tokens (HS256)', () => {
  const config = loadConfig({ JWT_SECRET: SECRET, JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'customer-360' });
  const key = tokenKey(config);
  const mint = (claims: Partial<Parameters<typeof mintToken>[1]> = {}) =>
    mintToken(SECRET, { sub: 'u1', roles: ['agent'], ttlSeconds: 60, issuer: 'https://idp.example.com', audience: 'customer-360', ...claims });

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
    const noExp = await new SignJWT({ roles: ['agent'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer('https://idp.example.com').setAudience('customer-360').sign(new TextEncoder().encode(SECRET));
    await expect(verifyToken(noExp, key, config, now)).rejects.toBeInstanceOf(TokenError);
  });

  it('keeps only known roles and reads partner scopes', async () => {
    const p = await verifyToken(await mint({ roles: ['partner', 'root' as never], scopes: ['profile', 'bogus' as never] }), key, config, now);
    expect([...p.roles]).toEqual(['partner']);
    expect([...p.partner!.scopes]).toEqual(['profile']);
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

  it('verifies RS256 tokens with the published key, and refuses HS256 ones (no algorithm confusion)', async () => {
    const config = loadConfig({ JWT_JWKS_URL: url });
    const key = tokenKey(config);
    const exp = Math.floor(now.getTime() / 1000) + 60;
    const rs = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('ops').setExpirationTime(exp).sign(privateKey);
    expect((await verifyToken(rs, key, config, now)).subject).toBe('ops');
    const hs = await mintToken(SECRET, { sub: 'ops', roles: ['admin'], ttlSeconds: 60 });
    await expect(verifyToken(hs, key, config, now)).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('reports an unreachable JWKS as the server\'s problem, not the caller\'s', async () => {
    const config = loadConfig({ JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json' });
    const rs = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('ops').setExpirationTime(Math.floor(now.getTime() / 1000) + 60).sign(privateKey);
    await expect(verifyToken(rs, tokenKey(config), config, now)).rejects.toBeInstanceOf(TokenKeysUnavailable);
  });
});
