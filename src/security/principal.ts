import { PartnerScope, Role as RoleName, type Scope } from '../enums';

/** Who is calling, as established by authenticate.ts; every request that runs an operation has one. */

/** A role as tokens, the audit log and the schema's Role enum (src/enums.ts) spell it. */
export type Role = `${RoleName}`;
export const ROLES: readonly Role[] = Object.values(RoleName);

export type { Scope } from '../enums';
export const SCOPES: readonly Scope[] = Object.values(PartnerScope);

export interface Principal {
  /** The token's `sub`, or `apikey:<key id>`. */
  subject: string;
  roles: ReadonlySet<Role>;
  auth: 'jwt' | 'api_key';
  /** For partners: the partner, its scopes and requests per minute; `keyId` only for API keys. */
  partner?: { keyId?: string; name: string; scopes: ReadonlySet<Scope>; ratePerMinute: number };
}

/** Roles that read personal data unmasked; the others see it masked (masking.ts). */
const UNMASKED: ReadonlySet<Role> = new Set(['agent', 'admin']);

export const seesRawPii = (p: Principal): boolean => [...p.roles].some((r) => UNMASKED.has(r));

/** The roles that may list customers; the others read one customer per request (access.ts) and per budget (customerBudget.ts). */
const LISTING: ReadonlySet<Role> = new Set(['analyst', 'admin']);

export const canList = (p: Principal): boolean => [...p.roles].some((r) => LISTING.has(r));

/** A partner-only caller: row-level consent filter, scopes and the safelist apply. */
export const isPartnerOnly = (p: Principal): boolean => p.roles.size === 1 && p.roles.has('partner');

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);
export const isScope = (v: unknown): v is Scope => typeof v === 'string' && (SCOPES as readonly string[]).includes(v);
