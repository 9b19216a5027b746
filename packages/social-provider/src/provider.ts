/**
 * The bundled social-data provider: the HTTP contract of contracts/social.md on `node:http`, over a fixed
 * list of accounts, for development and tests when SOCIAL_API_URL is not set. It can be told to
 * misbehave (slow, hanging, failing, rate limiting, answering garbage) so that the client's timeouts,
 * retries and circuit breaker can be exercised against a real socket.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { Random } from './random';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export interface SocialPost {
  id: string;
  /** ISO 8601. */
  postedAt: string;
  text: string;
  likes: number;
  shares: number;
  comments: number;
  mentionsBrand: boolean;
  /** In [-1, 1]. */
  sentiment: number;
  topics: string[];
}

export interface SocialAccountData {
  platform: string;
  handle: string;
  displayName: string;
  url: string;
  followers: number;
  following: number;
  verified: boolean;
  /** Newest first. */
  posts: SocialPost[];
}

/** How the provider misbehaves, for tests and demos; all off by default. Can be changed while running. */
export interface Misbehaviour {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Accept the request and never answer (until close()). */
  hang?: boolean;
  /** 0..1: that share of batchGet calls answer 500 (deterministic sequence from `seed`). */
  errorRate?: number;
  /** The next N batchGet calls answer 500, then normal again (for retry/breaker tests). */
  failNext?: number;
  /** Every batchGet answers this HTTP status (e.g. 503) with a JSON error body. */
  status?: number;
  /** Answer 429 with Retry-After (for the next `calls` calls, or always). */
  rateLimit?: { retryAfterSeconds: number; calls?: number };
  /** Answer 200 with a body that is not valid JSON. */
  malformed?: boolean;
  /** Answer 200 with valid JSON that violates the contract (e.g. accounts not an array / followers a string). */
  wrongShape?: boolean;
}

export interface SocialProviderOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  token: string;
  accounts: SocialAccountData[];
  misbehave?: Misbehaviour;
  /** Seeds the errorRate sequence (default 1). */
  seed?: number;
  /** The provider's clock: the default `postsSince` is 365 days before it. */
  now?: () => Date;
}

export interface RunningSocialProvider {
  /** Base URL, e.g. http://127.0.0.1:PORT (SOCIAL_API_URL). */
  url: string;
  port: number;
  /** Counters since start: batchGet calls received (including failed ones) and accounts asked for. */
  stats(): { batchGets: number; accountsRequested: number };
  resetStats(): void;
  setMisbehaviour(m: Misbehaviour): void;
  /** Also ends hanging requests. */
  close(): Promise<void>;
}

/** The one route the provider serves. */
export const BATCH_GET_PATH = '/v1/accounts:batchGet';
/** Accounts per batchGet, at most (contract). */
export const MAX_ACCOUNTS_PER_BATCH = 100;
/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

const DAY_MS = 86_400_000;

// ---- schemas ----

const post = z.object({
  id: z.string().min(1),
  postedAt: z.iso.datetime({ offset: true }),
  text: z.string(),
  likes: z.number().int().nonnegative(),
  shares: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  mentionsBrand: z.boolean(),
  sentiment: z.number().min(-1).max(1),
  topics: z.array(z.string()),
});

/** One account as the provider stores it (and as `loadSocialAccounts` reads it from a file). */
export const socialAccountSchema: z.ZodType<SocialAccountData> = z.object({
  platform: z.string().regex(/^[^\s:]+$/, 'must be a platform name without spaces or colons'),
  handle: z.string().min(1),
  displayName: z.string(),
  url: z.string(),
  followers: z.number().int().nonnegative(),
  following: z.number().int().nonnegative(),
  verified: z.boolean(),
  posts: z.array(post),
});

export const socialAccountsSchema = z.array(socialAccountSchema);

const batchGetRequest = z.object({
  accounts: z
    .array(z.object({ platform: z.string().min(1).max(100), handle: z.string().min(1).max(500) }))
    .max(MAX_ACCOUNTS_PER_BATCH, `at most ${MAX_ACCOUNTS_PER_BATCH} accounts per request`),
  postsSince: z.iso.datetime({ offset: true }).optional(),
});

const misbehaviourSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  hang: z.boolean().optional(),
  errorRate: z.number().min(0).max(1).optional(),
  failNext: z.number().int().min(0).optional(),
  status: z.number().int().min(400).max(599).optional(),
  rateLimit: z.strictObject({ retryAfterSeconds: z.number().int().min(0), calls: z.number().int().min(0).optional() }).optional(),
  malformed: z.boolean().optional(),
  wrongShape: z.boolean().optional(),
});

// ---- answers ----

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  408: 'request_timeout',
  413: 'payload_too_large',
  429: 'rate_limited',
  500: 'internal',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'gateway_timeout',
};

function errorAnswer(status: number, message: string, headers?: Record<string, string>): Answer {
  const code = ERROR_CODES[status] ?? `http_${status}`;
  return { status, body: JSON.stringify({ error: { code, message } }), headers };
}

interface StoredAccount {
  account: SocialAccountData;
  /** Newest first, with postedAt in ms. */
  posts: { at: number; post: SocialPost }[];
}

/** How accounts are matched: platform and handle, case-insensitively. */
const keyOf = (a: { platform: string; handle: string }): string => `${a.platform.toLowerCase()}:${a.handle.toLowerCase()}`;

function indexAccounts(accounts: SocialAccountData[]): Map<string, StoredAccount> {
  const parsed = socialAccountsSchema.safeParse(accounts);
  if (!parsed.success) throw new TypeError(`invalid social accounts: ${z.prettifyError(parsed.error)}`);
  const index = new Map<string, StoredAccount>();
  for (const account of parsed.data) {
    const key = keyOf(account);
    if (index.has(key)) throw new TypeError(`invalid social accounts: ${key} appears twice (handles are case-insensitive)`);
    const posts = account.posts.map((p) => ({ at: Date.parse(p.postedAt), post: p })).sort((a, b) => b.at - a.at);
    index.set(key, { account, posts });
  }
  return index;
}

/** The contract's 200 answer: known accounts sorted by platform:handle (not request order), unknown ones echoed. */
function batchGetAnswer(
  index: Map<string, StoredAccount>,
  request: z.infer<typeof batchGetRequest>,
  now: Date,
): { accounts: SocialAccountData[]; notFound: { platform: string; handle: string }[] } {
  const since = request.postsSince === undefined ? now.getTime() - 365 * DAY_MS : Date.parse(request.postsSince);
  const found = new Map<string, StoredAccount>();
  const notFound = new Map<string, { platform: string; handle: string }>();
  for (const ref of request.accounts) {
    const key = keyOf(ref);
    const stored = index.get(key);
    if (stored) found.set(key, stored);
    else if (!notFound.has(key)) notFound.set(key, { platform: ref.platform, handle: ref.handle });
  }
  const byKey = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    accounts: [...found].sort(byKey).map(([, { account: a, posts }]) => ({
      platform: a.platform,
      handle: a.handle,
      displayName: a.displayName,
      url: a.url,
      followers: a.followers,
      following: a.following,
      verified: a.verified,
      posts: posts
        .filter((p) => p.at >= since)
        .map(({ post: p }) => ({
          id: p.id,
          postedAt: p.postedAt,
          text: p.text,
          likes: p.likes,
          shares: p.shares,
          comments: p.comments,
          mentionsBrand: p.mentionsBrand,
          sentiment: p.sentiment,
          topics: [...p.topics],
        })),
    })),
    notFound: [...notFound].sort(byKey).map(([, ref]) => ref),
  };
}

/** Body of at most `limit` bytes; null when it is larger (the rest is read and dropped). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) return;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---- the server ----

/**
 * Starts the provider; resolves once it accepts connections. Per batchGet call, in order: the route
 * (else 404), the bearer token (401), the body size (413); then misbehaviour, first match wins: hang,
 * rateLimit (429), status, failNext (500), errorRate (500), malformed, wrongShape; then the body is
 * validated (400) and answered. `latencyMs` delays every batchGet answer, whatever it is.
 * Throws (rejects) when `accounts` or `misbehave` are invalid or the port is taken.
 */
export async function startSocialProvider(opts: SocialProviderOptions): Promise<RunningSocialProvider> {
  const index = indexAccounts(opts.accounts);
  // Digests have one length whatever the input, so the comparison takes the same time for any wrong token.
  const expected = sha256(opts.token);
  const now = opts.now ?? (() => new Date());
  const seed = opts.seed ?? 1;

  let misbehaviour: Misbehaviour = {};
  let failNextLeft = 0;
  /** null: rate limit every call. */
  let rateLimitedLeft: number | null = null;
  let errorRng = new Random(seed);
  const setMisbehaviour = (m: Misbehaviour): void => {
    const parsed = misbehaviourSchema.safeParse(m);
    if (!parsed.success) throw new RangeError(`invalid misbehaviour: ${z.prettifyError(parsed.error)}`);
    misbehaviour = parsed.data;
    failNextLeft = parsed.data.failNext ?? 0;
    rateLimitedLeft = parsed.data.rateLimit?.calls ?? null;
    errorRng = new Random(seed);
  };
  setMisbehaviour(opts.misbehave ?? {});

  let stats = { batchGets: 0, accountsRequested: 0 };
  /** Answers not sent yet (hanging or delayed), ended by close(). */
  const parked = new Set<http.ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: http.ServerResponse, answer: Answer): void => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(answer.body)),
      'cache-control': 'no-store',
      ...answer.headers,
    });
    res.end(answer.body);
  };

  const sendLater = (res: http.ServerResponse, answer: Answer, delayMs: number): void => {
    if (delayMs <= 0) return send(res, answer);
    parked.add(res);
    const timer = setTimeout(() => {
      timers.delete(timer);
      parked.delete(res);
      send(res, answer);
    }, delayMs);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
      parked.delete(res);
    });
  };

  /** The answer misbehaviour forces on this call, if any; advances the failNext/rateLimit/errorRate state. */
  const misbehave = (normal: () => Answer): Answer | null => {
    const m = misbehaviour;
    if (m.rateLimit && (rateLimitedLeft === null || rateLimitedLeft > 0)) {
      if (rateLimitedLeft !== null) rateLimitedLeft -= 1;
      return errorAnswer(429, 'rate limit exceeded', { 'retry-after': String(m.rateLimit.retryAfterSeconds) });
    }
    if (m.status !== undefined) return errorAnswer(m.status, `the provider answers ${m.status} (misbehaviour)`);
    if (failNextLeft > 0) {
      failNextLeft -= 1;
      return errorAnswer(500, 'internal error (misbehaviour: failNext)');
    }
    if (m.errorRate && errorRng.chance(m.errorRate)) return errorAnswer(500, 'internal error (misbehaviour: errorRate)');
    if (m.malformed) {
      // A strict prefix of a JSON object is never valid JSON.
      const body = normal().body;
      return { status: 200, body: body.slice(0, Math.max(1, Math.floor(body.length / 2))) };
    }
    if (m.wrongShape) {
      const ok = JSON.parse(normal().body) as { accounts?: SocialAccountData[] };
      const accounts = (ok.accounts ?? []).map((a) => ({ ...a, followers: String(a.followers) }));
      return { status: 200, body: JSON.stringify({ accounts: { count: accounts.length, items: accounts }, notFound: 'none' }) };
    }
    return null;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://provider').pathname;
    if (req.method !== 'POST' || path !== BATCH_GET_PATH) {
      return send(res, errorAnswer(404, `no route for ${req.method ?? '?'} ${path}: the provider serves POST ${BATCH_GET_PATH}`));
    }
    stats.batchGets += 1;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !timingSafeEqual(sha256(token), expected)) {
      return send(res, errorAnswer(401, 'missing or invalid bearer token', { 'www-authenticate': 'Bearer' }));
    }
    const delayMs = misbehaviour.latencyMs ?? 0;
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) {
      return sendLater(res, errorAnswer(413, `request body larger than ${MAX_BODY_BYTES} bytes`, { connection: 'close' }), delayMs);
    }
    let request: z.infer<typeof batchGetRequest> | undefined;
    let invalid: string | undefined;
    try {
      const parsed = batchGetRequest.safeParse(JSON.parse(raw.toString('utf8')));
      if (parsed.success) request = parsed.data;
      else invalid = z.prettifyError(parsed.error).replace(/\s*\n\s*/g, ' ');
    } catch {
      invalid = 'the body is not valid JSON';
    }
    if (request) stats.accountsRequested += request.accounts.length;
    if (misbehaviour.hang) {
      parked.add(res);
      res.on('close', () => parked.delete(res));
      return;
    }
    const normal = (): Answer =>
      request ? { status: 200, body: JSON.stringify(batchGetAnswer(index, request, now())) } : errorAnswer(400, invalid ?? 'bad request');
    sendLater(res, misbehave(normal) ?? normal(), delayMs);
  };

  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    handle(req, res).catch((e: unknown) => {
      send(res, errorAnswer(500, `internal error: ${e instanceof Error ? e.message : String(e)}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    stats: () => ({ ...stats }),
    resetStats: () => {
      stats = { batchGets: 0, accountsRequested: 0 };
    },
    setMisbehaviour,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const res of parked) res.destroy();
        parked.clear();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
