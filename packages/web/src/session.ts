/**
 * The sign-in: a bearer token, from the address's fragment (`/app#token=…`, which the browser never
 * sends; the start banner's link carries one) or pasted into the sign-in form, kept for this tab only
 * (sessionStorage) and dropped from the address bar. The roles shown are read from the token's
 * payload to choose what to offer; the API decides what the token may do.
 */
export interface Session {
  token: string;
  subject: string;
  roles: string[];
}

const KEY = 'c360.token';

function decode(token: string): Session | null {
  try {
    const payload = token.split('.')[1];
    if (!payload) return null;
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; roles?: unknown };
    const roles = Array.isArray(json.roles) ? json.roles.filter((r): r is string => typeof r === 'string') : [];
    return { token, subject: typeof json.sub === 'string' ? json.sub : '', roles };
  } catch {
    return null;
  }
}

/** The session of the fragment's token (which then leaves the address bar), else the tab's; null when signed out. */
export function currentSession(): Session | null {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    history.replaceState(history.state, '', location.pathname + location.search);
    return signIn(fromFragment);
  }
  const kept = sessionStorage.getItem(KEY);
  return kept ? decode(kept) : null;
}

/** Null when `token` is not a JWT. */
export function signIn(token: string): Session | null {
  const session = decode(token.trim().replace(/^Bearer\s+/i, ''));
  if (session) sessionStorage.setItem(KEY, session.token);
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** Agents and admins read personal data as stored; analysts (and others) see it masked. */
export const seesRawData = (s: Session) => s.roles.includes('agent') || s.roles.includes('admin');
export const mayLookUp = (s: Session) => s.roles.includes('agent') || s.roles.includes('admin');
export const mayAnalyse = (s: Session) => s.roles.includes('analyst') || s.roles.includes('admin');
