import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

/**
 * The development token secret: DATA_DIR/jwt-secret, created (mode 600) on first use, so tokens
 * minted by `npm run token` verify across restarts. Only used when JWT_SECRET and JWT_JWKS_URL are
 * unset, which config.assertTokenKeyConfigured allows only for the embedded development setup.
 */
export function developmentSecret(config: Pick<Config, 'DATA_DIR'>): string {
  const file = path.join(config.DATA_DIR, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** The HS256 secret in force, for minting: JWT_SECRET, else the development one. */
export const signingSecret = (config: Config): string | null =>
  config.JWT_JWKS_URL ? null : (config.JWT_SECRET ?? developmentSecret(config));
