import type { GraphQLResolveInfo } from 'graphql';
import { insertAuditRows } from '../sources/crm/audit';
import type { Db } from '../sources/crm/db';
import type { Principal } from './principal';

type Path = GraphQLResolveInfo['path'];

/**
 * The request's reads of personal data: which customer's which @pii fields, masked or not. The
 * customers are known by where they sit in the response (the path of each Customer value), so any
 * @pii field below a customer is attributed to it, whatever the field. Written as one INSERT per
 * request before the response leaves (audit/flush); a request that cannot be audited gets no data.
 */
export class AuditTrail {
  private readonly customersAt = new Map<string, string>();
  private readonly reads = new Map<string, Set<string>>();

  /** A Customer value at `path` (a list's items at path.index). */
  customerAt(path: Path, customerId: string): void {
    this.customersAt.set(pathKey(path), customerId);
  }

  /** A @pii field resolved at `path`; throws when no customer lies above it (a schema mistake: fail closed). */
  read(path: Path, coordinate: string): void {
    for (let p = path.prev; p; p = p.prev) {
      const id = this.customersAt.get(pathKey(p));
      if (id === undefined) continue;
      this.record(id, coordinate);
      return;
    }
    throw new Error(`personal data at ${pathKey(path)} (${coordinate}) is not below a customer; it cannot be audited`);
  }

  /** A read of a customer's personal data outside a field below it (e.g. a whole-record export). */
  record(customerId: string, coordinate: string): void {
    let fields = this.reads.get(customerId);
    if (!fields) this.reads.set(customerId, (fields = new Set()));
    fields.add(coordinate);
  }

  get empty(): boolean {
    return this.reads.size === 0;
  }

  /** Writes the reads as rows (one per customer) in one statement; `masked`: as the caller saw them (Context.maskPii). */
  async flush(db: Db, who: Principal, requestId: string, operation: string | null, masked: boolean): Promise<number> {
    if (this.reads.size === 0) return 0;
    const reads = new Map([...this.reads].map(([id, fields]) => [id, [...fields].sort()]));
    await insertAuditRows(
      db,
      {
        requestId,
        subject: who.subject,
        roles: [...who.roles].sort(),
        auth: who.auth,
        partner: who.partner?.name ?? null,
        masked,
        operation,
      },
      reads,
    );
    this.reads.clear();
    return reads.size;
  }
}

function pathKey(path: Path): string {
  let key = String(path.key);
  for (let p = path.prev; p; p = p.prev) key = `${p.key}.${key}`;
  return key;
}
