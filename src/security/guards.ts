import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLUnionType,
} from 'graphql';
import type { Context } from '../context';
import { ConsentPurpose } from '../enums';
import { forbidden, notFound } from '../errors';
import { mask } from './masking';
import { answersCustomers, NODE_FETCHERS, type FieldPolicy } from './policies';
import { isPartnerOnly } from './principal';

type Resolver = GraphQLFieldResolver<unknown, Context>;

const then = <T, R>(value: T | Promise<T>, f: (v: T) => R | Promise<R>): R | Promise<R> =>
  value instanceof Promise ? value.then(f) : f(value);

/**
 * Field-level enforcement, installed once on the executable schema (so no resolver can skip it):
 * - every field returning Customer records where each customer sits in the response (audit), and
 *   for a partner drops the customers who have not granted partner_sharing — the same answer as
 *   for a customer that does not exist; the customers it answers are counted against the caller's
 *   hourly budget (customerBudget.ts), and none is answered when they do not fit (BUDGET_EXHAUSTED);
 * - every Customer field but `id` is recorded in the request's audit trail (a read of that person's
 *   data), and every @pii field too, masked for roles that may not see it;
 * - a field answering Nodes (Query.node, nodes) guards the customers among them as above, and answers
 *   an object of another type only to the roles of the field that fetches that type (NODE_FETCHERS):
 *   FORBIDDEN in its place otherwise.
 * Role and scope checks happen before execution (access.ts); these are what depends on the data.
 */
export function installGuards(schema: GraphQLSchema, policies: ReadonlyMap<string, FieldPolicy>): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const resolve: Resolver = field.resolve ?? defaultFieldResolver;
      const kind = policies.get(coordinate)?.pii;
      // Everything about an identified person is personal data: each Customer field asked for is an
      // audited read of that customer (the @pii leaves below it add what exactly was shown).
      const ofCustomer = type.name === 'Customer' && field.name !== 'id';
      if (kind || ofCustomer) {
        field.resolve = (parent, args, ctx, info) => {
          if (ofCustomer) ctx.audit.record((parent as { id: string }).id, coordinate);
          else ctx.audit.read(info.path, coordinate);
          const value = resolve(parent, args, ctx, info);
          return kind && ctx.maskPii ? then(value, (v) => mask(kind, v, parent)) : value;
        };
      } else if (
        isUnionType(getNamedType(field.type)) &&
        (getNamedType(field.type) as GraphQLUnionType).getTypes().some((t) => t.name === 'Customer')
      ) {
        // Federation's _entities: the customer references sit at their index in the answer.
        field.resolve = (parent, args, ctx, info) => {
          (args.representations as { __typename?: string; id?: unknown }[] | undefined)?.forEach((rep, i) => {
            if (rep.__typename === 'Customer' && typeof rep.id === 'string')
              ctx.audit.customerAt({ prev: info.path, key: i, typename: undefined }, rep.id);
          });
          return resolve(parent, args, ctx, info);
        };
      } else if (answersCustomers(schema, field.type)) {
        const listType = isNonNullType(field.type) ? field.type.ofType : field.type;
        const list = isListType(listType);
        // A Node field's answers are of several types, each tagged with its __typename (services/nodes.ts).
        const mixed = isAbstractType(getNamedType(field.type));
        const isCustomer = mixed ? isTypedCustomer : isCustomerRef;
        const allowed = (ctx: Context, c: Placed): Placed => {
          if (!mixed || c === null || c instanceof Error || isCustomer(c)) return c;
          const typename = (c as { __typename?: string }).__typename ?? '';
          const roles = policies.get(NODE_FETCHERS[typename] ?? '')?.roles;
          if (roles && [...roles].some((r) => ctx.principal.roles.has(r))) return c;
          return forbidden(`Not allowed for this caller: a ${typename} (roles: ${[...(roles ?? [])].join(', ')}).`);
        };
        // A list of nullable customers answers per position (lookupCustomers: item i is the i-th
        // identifier's customer or its error): a customer a partner may not see becomes NOT_FOUND in
        // place, as an identifier nobody has; a list of non-null customers drops it.
        const aligned = list && !isNonNullType(listType.ofType);
        const place = (ctx: Context, info: GraphQLResolveInfo, placed: Placed[] | null) => {
          const customers = mixed && placed ? placed.map((c) => allowed(ctx, c)) : placed;
          const fits = customers ? ctx.budget.take(customers.flatMap((c) => (isCustomer(c) ? [c.id] : []))) : true;
          return then(fits, (ok) => {
            if (!ok) throw ctx.budget.refusal();
            if (list) {
              customers?.forEach((c, i) => isCustomer(c) && ctx.audit.customerAt({ prev: info.path, key: i, typename: undefined }, c.id));
              return customers;
            }
            const one = customers?.[0] ?? null;
            if (one instanceof Error) throw one;
            if (isCustomer(one)) ctx.audit.customerAt(info.path, one.id);
            return one;
          });
        };
        // Synchronous unless the caller is counted (budget.take) or a partner (whose customers are
        // filtered by consent): a lister's page of 100 edges costs no extra promise each.
        field.resolve = (parent, args, ctx, info) =>
          then(resolve(parent, args, ctx, info), (value) => {
            const customers = (list ? value : [value]) as Placed[] | null;
            return isPartnerOnly(ctx.principal)
              ? visibleCustomers(ctx, customers, aligned, isCustomer).then((c) => place(ctx, info, c))
              : place(ctx, info, customers);
          });
      }
    }
  }
  return schema;
}

/** Stands for "no customer" in a consents load: CRM ids are never empty, so it matches no row. */
const NO_CUSTOMER = '';

/** What a Customer-returning field answers per position: a customer, null, or (an aligned list's item) its error. */
type Placed = { id: string } | null | Error;
const isCustomerRef = (c: Placed): c is { id: string } => c !== null && !(c instanceof Error);
/** In a Node field's answer, where other types sit beside customers. */
const isTypedCustomer = (c: Placed): c is { id: string } => isCustomerRef(c) && (c as { __typename?: string }).__typename === 'Customer';

/**
 * The customers a partner may see: those who granted partner_sharing. Others are dropped, or, in an
 * `aligned` list, replaced in place by the NOT_FOUND an unknown identifier gets.
 */
async function visibleCustomers(
  ctx: Context,
  customers: Placed[] | null,
  aligned: boolean,
  isCustomer: (c: Placed) => c is { id: string },
): Promise<Placed[] | null> {
  if (!customers) return customers;
  const ids = customers.flatMap((c) => (isCustomer(c) ? [c.id] : []));
  // A miss costs the same consents statement as a hit: otherwise the round trips and the time would
  // tell a partner that the customer who answers null exists but refused partner_sharing.
  const consents = await ctx.crm.loaders.consents.loadMany(ids.length ? ids : [NO_CUSTOMER]);
  const sharing = new Set<string>();
  for (const rows of consents) {
    if (rows instanceof Error) throw rows;
    for (const r of rows) if (r.purpose === ConsentPurpose.PARTNER_SHARING && r.granted) sharing.add(r.customer_id);
  }
  if (aligned) return customers.map((c) => (isCustomer(c) && !sharing.has(c.id) ? notFound() : c));
  return customers.filter((c) => !isCustomer(c) || sharing.has(c.id));
}
