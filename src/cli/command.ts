import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The command line's fault, not the work's: the CLI exits 2 with this message (what is wrong, and the valid values). */
export class UsageError extends Error {}

/** The parsed values of a command's options (for a main that takes them as a parameter). */
export type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];

/** Exit codes of every CLI of the project besides success (0). */
const EXIT = { failure: 1, usage: 2 } as const;

/** "--port N, --host H, --help": the options a command accepts, for a usage error. */
const optionList = (options: Options): string =>
  Object.entries(options)
    .map(([name, o]) => `--${name}${o.type === 'string' ? ' VALUE' : ''}`)
    .join(', ');

/** Checks the raw tokens itself, so that every wrong command line gets one message naming the valid options. */
function checkTokens(args: string[], options: Options, positionals: number): 'help' | void {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return 'help';
  let seen = 0;
  for (const t of tokens) {
    if (t.kind === 'positional' && ++seen > positionals)
      throw new UsageError(`Unexpected argument ${t.value}.${positionals ? '' : ` Valid: ${optionList(options)}`}`);
    if (t.kind !== 'option') continue;
    const option = options[t.name];
    if (!option) throw new UsageError(`Unknown option ${t.rawName}. Valid: ${optionList(options)}`);
    if (option.type === 'string' && t.value === undefined) throw new UsageError(`${t.rawName} needs a value`);
    if (option.type === 'boolean' && t.value !== undefined) throw new UsageError(`${t.rawName} takes no value (got ${t.value})`);
  }
}

/**
 * Runs a CLI the project's way. `--help`/`-h` anywhere prints `usage` on stdout (exit 0); an unknown
 * option, a missing value or a positional beyond `positionals`, and any UsageError `main` throws, print
 * `name: message` and usage's first paragraph (the synopsis) on stderr (exit 2); any other error
 * prints `name: message` (exit 1). Otherwise the process ends when `main`'s work does (exit 0).
 */
export function runCommand<const O extends Options>(
  cli: {
    name: string;
    usage: string;
    options: O;
    /** How many positional arguments it takes at most (default 0). */
    positionals?: number;
  },
  main: (parsed: { values: Values<O>; positionals: string[] }) => Promise<void> | void,
): void {
  const args = process.argv.slice(2);
  const options: Options = { ...cli.options, help: { type: 'boolean', short: 'h' } };
  const run = async () => {
    if (checkTokens(args, options, cli.positionals ?? 0) === 'help') return void process.stdout.write(`${cli.usage}\n`);
    await main(parseArgs({ args, options: cli.options, allowPositionals: true }));
  };
  run().catch((e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof UsageError) {
      process.stderr.write(`${cli.name}: ${message}\n\n${cli.usage.split('\n\n')[0]}\n`);
      process.exit(EXIT.usage);
    }
    process.stderr.write(`${cli.name}: ${message}\n`);
    process.exit(EXIT.failure);
  });
}

/** An integer option's value from min to max, or a UsageError naming the range. */
export function integer(option: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${option} must be an integer from ${min} to ${max}, got ${value}`);
  return n;
}

/** A comma-separated list of integers, each from min to max (--concurrency 1,16,64), or a UsageError. */
export const integerList = (option: string, value: string, min: number, max: number): number[] =>
  value.split(',').map((v) => integer(option, v, min, max));

/** A share (a number from 0 to 1), or a UsageError. */
export function share(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`--${option} must be a number from 0 to 1, got ${value}`);
  return n;
}

/** The comma-separated, case-insensitive values of a list option, each one of `valid`, or a UsageError listing the valid ones. */
export function listOf<T extends string>(what: string, value: string, valid: readonly T[]): T[] {
  const given = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = given.filter((g) => !(valid as readonly string[]).includes(g));
  if (unknown.length) throw new UsageError(`Unknown ${what}: ${unknown.join(', ')}. Valid: ${valid.join(', ')}`);
  return given as T[];
}

/** A required value (an option, a list or a positional), or a UsageError naming it and, when given, its valid values. */
export function required<T>(what: string, value: T | undefined, valid?: readonly string[]): T {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    throw new UsageError(`Missing ${what}.${valid ? ` Valid: ${valid.join(', ')}` : ''}`);
  return value;
}

/** A required value that must be one of `valid` (a subcommand, say), or a UsageError listing them. */
export function oneOf<T extends string>(what: string, value: string | undefined, valid: readonly T[]): T {
  if (!(valid as readonly (string | undefined)[]).includes(required(what, value, valid)))
    throw new UsageError(`Unknown ${what} ${value}. Valid: ${valid.join(', ')}`);
  return value as T;
}
