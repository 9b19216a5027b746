import { useEffect, useState, type FormEvent } from 'react';
import { request, RequestFailed, type ApiError } from './api';
import type { ConsoleSearchQuery, CustomerScreenFragment } from './__generated__/graphql';
import { CustomerScreen } from './CustomerScreen';
import { describe, detect, KIND_NAMES, type Lookup } from './identifier';
import { CustomerById, CustomerByIdentifier, CustomerNameSearch } from './operations';
import { Pii } from './format';
import { mayLookUp, seesRawData, type Session } from './session';

type State =
  | { kind: 'idle' }
  | { kind: 'loading'; lookup: Lookup }
  | { kind: 'customer'; customer: CustomerScreenFragment; errors: ApiError[] }
  | { kind: 'matches'; query: string; result: ConsoleSearchQuery['customerSearch'] }
  | { kind: 'none'; message: string }
  | { kind: 'failed'; message: string };

/** Runs one lookup: an identifier, an id or a name search (the last answers a list to pick from). */
async function run(session: Session, lookup: Lookup): Promise<State> {
  if (lookup.by === 'name') {
    const { data } = await request(session, CustomerNameSearch, { query: lookup.query });
    const result = data!.customerSearch;
    if (result.edges.length === 0) return { kind: 'none', message: `No customer’s name, e-mail or phone matches “${lookup.query}”.` };
    return { kind: 'matches', query: lookup.query, result };
  }
  const answer =
    lookup.by === 'id'
      ? await request(session, CustomerById, { id: lookup.id }).then((a) => ({ customer: a.data?.customer, errors: a.errors }))
      : await request(session, CustomerByIdentifier, { identifier: { kind: lookup.kind, value: lookup.value } }).then((a) => ({
          customer: a.data?.customerBy,
          errors: a.errors,
        }));
  if (!answer.customer) {
    const what = lookup.by === 'id' ? `the id ${lookup.id}` : `this ${KIND_NAMES[lookup.kind]}`;
    return { kind: 'none', message: `No customer has ${what}. Check it with the caller, or search by name.` };
  }
  return { kind: 'customer', customer: answer.customer, errors: answer.errors };
}

/** The agent's console: one search box, then the customer on one screen. `?q=` holds the search, so a link opens a customer. */
export function Console({ session }: { session: Session }) {
  const initial = new URLSearchParams(location.search).get('q') ?? '';
  const [input, setInput] = useState(initial);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const masked = !seesRawData(session);

  const search = async (text: string) => {
    const lookup = detect(text);
    if (!lookup) return;
    if (!mayLookUp(session) && lookup.by !== 'id') {
      setState({ kind: 'failed', message: 'Your role opens customers by id (c_…), e.g. from a segment’s members on the dashboard.' });
      return;
    }
    history.replaceState(null, '', `${location.pathname}?q=${encodeURIComponent(text.trim())}`);
    setState({ kind: 'loading', lookup });
    try {
      setState(await run(session, lookup));
    } catch (e) {
      setState({ kind: 'failed', message: e instanceof RequestFailed ? e.message : 'Something went wrong showing this customer.' });
    }
  };
  useEffect(() => {
    if (initial) void search(initial);
  }, []); // the address's search, once, when the page opens

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search(input);
  };
  const detected = detect(input);

  return (
    <>
      <form className="search" role="search" onSubmit={submit}>
        <label htmlFor="lookup">Find a customer</label>
        <div className="search-row">
          <input
            id="lookup"
            type="search"
            autoComplete="off"
            autoFocus
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder={mayLookUp(session) ? 'Phone, e-mail, order number, weibo:@handle or name' : 'Customer id, e.g. c_000002'}
            aria-describedby="lookup-hint"
          />
          <button type="submit">Look up</button>
        </div>
        <p id="lookup-hint" className="hint" aria-live="polite">
          {detected ? describe(detected) : 'Type what the caller reads out, in any format.'}
        </p>
      </form>
      <div aria-live="polite" aria-busy={state.kind === 'loading'}>
        {state.kind === 'idle' && <p className="empty">Nobody selected yet: look a caller up by whatever they give you.</p>}
        {state.kind === 'loading' && <p className="loading">{describe(state.lookup)}…</p>}
        {state.kind === 'none' && <p className="empty">{state.message}</p>}
        {state.kind === 'failed' && (
          <p className="error" role="alert">
            {state.message}
          </p>
        )}
        {state.kind === 'matches' && (
          <section aria-labelledby="matches-title" className="card">
            <h2 id="matches-title">
              {state.result.totalCount} match{state.result.totalCount === 1 ? '' : 'es'} for “{state.query}”
            </h2>
            <ul className="matches">
              {state.result.edges.map(({ node }) => (
                <li key={node.id}>
                  <button type="button" className="link" onClick={() => void search(node.id)}>
                    <Pii value={node.profile.fullName} masked={masked} />
                  </button>{' '}
                  <span className="muted">
                    {node.profile.city ?? ''} · <Pii value={node.contact.email} masked={masked} />
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {state.kind === 'customer' && <CustomerScreen customer={state.customer} errors={state.errors} masked={masked} />}
      </div>
    </>
  );
}
