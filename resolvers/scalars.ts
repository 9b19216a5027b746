import { GraphQLScalarType, Kind } from 'graphql';
import { DateResolver, DateTimeResolver, JSONResolver } from 'graphql-scalars';

const MONEY = /^-?\d{1,12}(\.\d{1,2})?$/;

/** Exact decimal amounts as strings with two decimals; numbers are refused as input to avoid floats. */
const Money = new GraphQLScalarType<string, string>({
  name: 'Money',
  serialize(value) {
    const s = String(value);
    if (!MONEY.test(s)) throw new TypeError(`Money cannot represent ${s}`);
    const [int, frac = ''] = s.split('.');
    return `${int}.${frac.padEnd(2, '0')}`;
  },
  parseValue(value) {
    if (typeof value !== 'string' || !MONEY.test(value)) throw new TypeError('Money must be a decimal string such as "129.90".');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !MONEY.test(ast.value)) throw new TypeError('Money must be a decimal string such as "129.90".');
    return ast.value;
  },
});

/**
 * graphql-scalars' DateTime, held to the years 1–9999: every DateTime input ends up in a statement
 * or a window computation, and PostgreSQL has no year 0 (it refused "0000-01-01T00:00:00Z" only once a
 * saved segment holding it was read back).
 */
const inRange = (d: Date) => {
  const year = d.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw new TypeError('DateTime must lie between the years 1 and 9999.');
  return d;
};
const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  parseValue: (value) => inRange(DateTimeResolver.parseValue(value) as Date),
  parseLiteral: (ast, variables) => inRange(DateTimeResolver.parseLiteral(ast, variables) as Date),
});

export const scalars = { DateTime, Date: DateResolver, Money, JSON: JSONResolver };
