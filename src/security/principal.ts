/** Who is calling, as established by authenticate.ts; every request that runs an operation has one. */

export const ROLES = ['agent', 'analyst', 'partner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a partner API key may read; each Customer field declares its scope with @scope in the schema. */
export const SCOPES = ['profile', 'contact', 'identities', 'orders', 'support', 'behaviour', 'social', 'insights'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  /** The token's `sub`, or `apikey:<key id>`. */
  subject: string;
  roles: ReadonlySet<Role>;
  auth: 'jwt' | 'api_key';
  /** For API keys: the partner, its scopes and requests per minute. */
  partner?: { keyId: string; name: string; scopes: ReadonlySet<Scope>; ratePerMinute: number };
}

/** Roles that read personal data unmasked; the others see it masked (masking.ts). */
const UNMASKED: ReadonlySet<Role> = new Set(['agent', 'admin']);

export const seesRawPii = (p: Principal): boolean => [...p.roles].some((r) => UNMASKED.has(r));

/** A partner-only caller: row-level consent filter, scopes and the safelist apply. */
export const isPartnerOnly = (p: Principal): boolean => p.roles.size === 1 && p.roles.has('partner');

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);
export const isScope = (v: unknown): v is Scope => typeof v === 'string' && (SCOPES as readonly string[]).includes(v);
