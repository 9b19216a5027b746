import type { GraphQLResolveInfo } from 'graphql';
import { insertAuditRows, type AuditEntry } from '../sources/crm/audit';
import type { Db } from '../sources/crm/db';
import type { Principal } from './principal';

type Path = GraphQLResolveInfo['path'];

/**
 * The request's reads of personal data: which customer's which @pii fields, masked or not. The
 * customers are known by where they sit in the response (the path of each Customer value), so any
 * @pii field below a customer is attributed to it, whatever the field. Written before the response
 * leaves (flush, through the process's AuditWriter); a request that cannot be audited gets no data.
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

  /** Writes the reads as rows (one per customer); resolves once they are committed. `masked`: as the caller saw them (Context.maskPii). */
  async flush(writer: AuditWriter, who: Principal, requestId: string, operation: string | null, masked: boolean): Promise<number> {
    if (this.reads.size === 0) return 0;
    const reads = new Map([...this.reads].map(([id, fields]) => [id, [...fields].sort()]));
    await writer.write({
      requestId,
      subject: who.subject,
      roles: [...who.roles].sort(),
      auth: who.auth,
      partner: who.partner?.name ?? null,
      masked,
      operation,
      reads,
    });
    this.reads.clear();
    return reads.size;
  }
}

/** At most this many requests' entries in one INSERT. */
const GROUP_MAX = 64;

/**
 * Writes audit entries with group commit: one INSERT in flight at a time; the entries that arrive
 * meanwhile go together in the next. A write resolves when the statement holding its entry has
 * committed, so a response still leaves only after its audit rows are durable; an idle writer starts
 * a lone entry at once. Under load, N concurrent requests cost a few statements and commits instead
 * of N. When a group fails, each of its entries is tried alone: an entry the database refuses fails
 * only its own request.
 */
export class AuditWriter {
  private readonly queue: { entry: AuditEntry; done: () => void; failed: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly db: Db) {}

  write(entry: AuditEntry): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ entry, done, failed });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, GROUP_MAX);
      try {
        await insertAuditRows(
          this.db,
          group.map((g) => g.entry),
        );
        for (const g of group) g.done();
      } catch (e) {
        if (group.length === 1) group[0]!.failed(e);
        else await Promise.all(group.map((g) => insertAuditRows(this.db, [g.entry]).then(g.done, g.failed)));
      }
    }
    this.writing = false;
  }
}

function pathKey(path: Path): string {
  let key = String(path.key);
  for (let p = path.prev; p; p = p.prev) key = `${p.key}.${key}`;
  return key;
}
