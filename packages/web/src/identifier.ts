import type { IdentifierKind } from './__generated__/graphql';

/**
 * What a caller's identifier looks like, as an agent types it from the phone: an e-mail, a phone in
 * any format (national, +country, spaces, dashes, brackets), an order number (letters then digits),
 * a social handle as `platform:handle` (or `platform @handle`), a CRM id (`c_…`); anything else is a
 * name, searched. The API normalises the value (case, spaces, E.164), so it is sent as typed.
 */
export type Lookup = { by: 'identifier'; kind: IdentifierKind; value: string } | { by: 'id'; id: string } | { by: 'name'; query: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]+$/;
const ORDER = /^[A-Za-z]{1,4}[-\s]?\d{4,}$/;
const HANDLE = /^([A-Za-z][\w-]*)\s*[:\s]\s*(@?[\w.-]+)$/;
const CRM_ID = /^c_[\w-]+$/;

export function detect(input: string): Lookup | null {
  const value = input.trim();
  if (!value) return null;
  if (CRM_ID.test(value)) return { by: 'id', id: value };
  if (EMAIL.test(value)) return { by: 'identifier', kind: 'EMAIL', value };
  if (PHONE.test(value) && value.replace(/\D/g, '').length >= 6) return { by: 'identifier', kind: 'PHONE', value };
  if (ORDER.test(value)) return { by: 'identifier', kind: 'ORDER_NUMBER', value: value.replace(/[-\s]/g, '') };
  const handle = HANDLE.exec(value);
  if (handle && (value.includes(':') || handle[2]!.startsWith('@')))
    return { by: 'identifier', kind: 'SOCIAL', value: `${handle[1]}:${handle[2]}` };
  return { by: 'name', query: value };
}

export const KIND_NAMES: Record<IdentifierKind, string> = {
  EMAIL: 'e-mail',
  PHONE: 'phone number',
  ORDER_NUMBER: 'order number',
  SOCIAL: 'social handle',
  DEVICE_ID: 'device id',
  ANONYMOUS_ID: 'anonymous id',
  EXTERNAL_ID: 'external id',
};

/** How the page says what it understood, e.g. "Looking up by phone number". */
export function describe(lookup: Lookup): string {
  if (lookup.by === 'id') return `Opening customer ${lookup.id}`;
  if (lookup.by === 'name') return `Searching names, e-mails and phones for “${lookup.query}”`;
  return `Looking up by ${KIND_NAMES[lookup.kind]}`;
}
