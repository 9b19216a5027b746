import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { generateCrmDatasetWithPersonas } from '../src/generate';

const NOW = new Date('2026-03-15T12:00:00Z');
const base = generateCrmDatasetWithPersonas({ customers: 2000, seed: 42, now: NOW });
const withDuplicates = generateCrmDatasetWithPersonas({ customers: 2000, seed: 42, now: NOW, duplicates: 0.05 });
const { dataset: ds, duplicates } = withDuplicates;
const byId = new Map(ds.customers.map((c) => [c.id, c]));
const e164 = (phone: string | null) => (phone === null ? null : (parsePhoneNumberFromString(phone, 'CN')?.number ?? null));

describe('planted duplicates', () => {
  it('are deterministic, appended after the base customers with new ids, and change no base row', () => {
    expect(generateCrmDatasetWithPersonas({ customers: 2000, seed: 42, now: NOW, duplicates: 0.05 })).toEqual(withDuplicates);
    expect(base.duplicates).toEqual([]);
    expect(ds.customers.slice(0, 2000)).toEqual(base.dataset.customers);
    expect(ds.customer_identities.slice(0, base.dataset.customer_identities.length)).toEqual(base.dataset.customer_identities);
    for (const table of ['consents', 'products', 'orders', 'order_items', 'support_tickets'] as const)
      expect(ds[table]).toEqual(base.dataset[table]);
    expect(duplicates.map((d) => d.duplicate)).toEqual(Array.from({ length: 100 }, (_, i) => `c_${String(2001 + i).padStart(6, '0')}`));
    expect(new Set(duplicates.map((d) => d.original)).size).toBe(100);
    expect(duplicates.every((d) => withDuplicates.personas[d.duplicate] === 'prospect')).toBe(true);
    const identities = ds.customer_identities.map((i) => `${i.kind}\u0000${i.value}`);
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('share exactly what they say they share, entered differently, and every kind of evidence occurs', () => {
    const devices = (id: string) =>
      ds.customer_identities.filter((i) => i.customer_id === id && i.kind === 'device_id').map((i) => i.value);
    for (const { original, duplicate, shared } of duplicates) {
      const o = byId.get(original)!;
      const d = byId.get(duplicate)!;
      expect(o.email !== null && d.email?.trim().toLowerCase() === o.email.trim().toLowerCase()).toBe(shared.email);
      expect(e164(d.phone) !== null && e164(d.phone) === e164(o.phone)).toBe(shared.phone);
      expect(devices(duplicate).some((v) => devices(original).includes(v.toLowerCase()))).toBe(shared.deviceId);
      expect(d.birth_date !== null && d.birth_date === o.birth_date).toBe(shared.birthDate);
      expect(d.city !== null && d.city === o.city).toBe(shared.city);
      expect(d.created_at.getTime()).toBeGreaterThanOrEqual(o.created_at.getTime());
      expect(d.created_at.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
    const count = (f: (d: (typeof duplicates)[number]) => boolean) => duplicates.filter(f).length;
    expect(count((d) => d.shared.email && byId.get(d.duplicate)!.email !== byId.get(d.original)!.email)).toBeGreaterThan(0);
    expect(count((d) => d.shared.phone && byId.get(d.duplicate)!.phone !== byId.get(d.original)!.phone)).toBeGreaterThan(0);
    expect(count((d) => d.shared.deviceId)).toBeGreaterThan(0);
    expect(count((d) => !d.shared.email && !d.shared.phone && !d.shared.deviceId && (d.shared.birthDate || d.shared.city))).toBeGreaterThan(
      0,
    );
    expect(new Set(duplicates.map((d) => d.name))).toEqual(new Set(['same', 'spacing', 'case', 'typo', 'romanised']));
  });
});
