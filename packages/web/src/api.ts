import type { TypedDocumentString } from './__generated__/graphql';
import type { Session } from './session';

/** One GraphQL error as the API sends it: `extensions.code` always, `source` for a failed source, `purpose` for withheld consent. */
export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; source?: string; reason?: string; purpose?: string };
}

export interface Answer<R> {
  data: R | null;
  errors: ApiError[];
}

/** A request that got no usable answer at all, said for a person. */
export class RequestFailed extends Error {}

const STATUS_MESSAGES: Record<number, string> = {
  401: 'Your sign-in is not valid (expired or wrong token). Sign out and sign in again.',
  403: 'Your role may not do this.',
  429: 'Too many requests for your sign-in: wait a minute and try again.',
  503: 'The service is busy or its customer database is unreachable. Try again in a few seconds.',
};

/** POSTs `document` to /graphql with the session's token. Field errors come back with the data; a refusal of the whole request throws RequestFailed. */
export async function request<R, V>(session: Session, document: TypedDocumentString<R, V>, variables: V): Promise<Answer<R>> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new RequestFailed('The API cannot be reached. Check the connection and try again.');
  }
  const body = (await res.json().catch(() => null)) as { data?: R | null; errors?: ApiError[] } | null;
  const errors = body?.errors ?? [];
  if (!body?.data) {
    const code = errors[0]?.extensions?.code;
    if (code === 'BAD_USER_INPUT') throw new RequestFailed(errors[0]!.message);
    if (code === 'BUDGET_EXHAUSTED') throw new RequestFailed('You have opened as many customers as an hour allows. Try again later.');
    throw new RequestFailed(STATUS_MESSAGES[res.status] ?? errors[0]?.message ?? `The API answered ${res.status}.`);
  }
  return { data: body.data, errors };
}

/** The file at `path` (e.g. a segment's exportPath), fetched with the session's token, as a download. */
export async function download(session: Session, path: string, fileName: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!res.ok) throw new RequestFailed(STATUS_MESSAGES[res.status] ?? `The export failed (${res.status}).`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}
