import { createHash } from 'node:crypto';

/** The SHA-256 digest of `text` (UTF-8); `.toString('hex')` for the hex form. The one hash helper. */
export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
