import type { ReactNode } from 'react';
import type { ApiError } from './api';
import type { CustomerScreenFragment } from './__generated__/graphql';
import { count, date, dateTime, label, Pii } from './format';
import { money } from './money';

/** What each source's fields are, for the banner that says which are missing. */
const SOURCE_FIELDS: Record<string, string> = {
  crm: 'profile, orders and tickets',
  behaviour: 'the behaviour timeline and the stages computed from it',
  social: 'social accounts and sentiment',
  snapshot: 'population figures',
};

/** Recommendations not built yet: no source is down (their card says so), so no banner. */
const notBuilt = (e: ApiError) => e.extensions?.reason === 'not_built';

/** The failed sources named by the answer's errors (`extensions.source`), each once. */
export function failedSources(errors: ApiError[]): string[] {
  return [
    ...new Set(
      errors.filter((e) => e.extensions?.code === 'SOURCE_UNAVAILABLE' && !notBuilt(e)).map((e) => e.extensions!.source ?? 'unknown'),
    ),
  ];
}

export function SourceBanners({ errors }: { errors: ApiError[] }) {
  return (
    <>
      {failedSources(errors).map((source) => (
        <p key={source} className="banner" role="alert" data-source={source}>
          <strong>{label(source)} data is unavailable right now</strong> (source <code>{source}</code>):{' '}
          {SOURCE_FIELDS[source] ?? 'some fields'} are not shown; everything else on this page is current.
        </p>
      ))}
    </>
  );
}

/** The error of the customer's field `field`, if any (path: [root, field, …]). */
const errorOf = (errors: ApiError[], field: string) => errors.find((e) => e.path?.[1] === field);

/** Why a field is empty: withheld for consent, its source down, or simply nothing there. */
function Missing({ error, nothing }: { error: ApiError | undefined; nothing: string }) {
  if (error?.extensions?.code === 'CONSENT_REQUIRED')
    return <p className="withheld">Withheld: the customer has not granted {error.extensions.purpose ?? 'profiling'} consent.</p>;
  if (error?.extensions?.code === 'SOURCE_UNAVAILABLE')
    return <p className="muted">Not available: the {error.extensions.source} source did not answer.</p>;
  if (error) return <p className="muted">Not available ({error.extensions?.code ?? 'error'}).</p>;
  return <p className="empty">{nothing}</p>;
}

function Card({ id, title, children, wide }: { id: string; title: string; children: ReactNode; wide?: boolean }) {
  return (
    <section className={wide ? 'card wide' : 'card'} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

/** One customer on one screen: hints first, then who they are, how they stand, what they did. */
export function CustomerScreen({ customer: c, errors, masked }: { customer: CustomerScreenFragment; errors: ApiError[]; masked: boolean }) {
  const currency = c.purchaseSummary?.currency ?? '';
  return (
    <article className="customer" aria-labelledby="customer-name">
      <header className="customer-head">
        <h2 id="customer-name">
          <Pii value={c.profile.fullName} masked={masked} />
        </h2>
        <span className="muted">
          {c.id}
          {c.status !== 'ACTIVE' && ` · ${label(c.status)}`}
        </span>
        {masked && <span className="badge">Personal data masked for your role</span>}
      </header>
      <SourceBanners errors={errors} />

      <section aria-labelledby="hints-title" className="hints">
        <h3 id="hints-title">Service hints</h3>
        {c.serviceHints && c.serviceHints.length > 0 ? (
          <ul>
            {c.serviceHints.map((h) => (
              <li key={h.code} className={`hint-${h.code.toLowerCase()}`}>
                <strong>{h.message}</strong> <span className="reason">{h.reason}</span>
              </li>
            ))}
          </ul>
        ) : (
          <Missing error={errorOf(errors, 'serviceHints')} nothing="Nothing urgent about this customer." />
        )}
      </section>

      <div className="grid">
        <Card id="profile-title" title="Profile and contact">
          <dl>
            <dt>E-mail</dt>
            <dd>
              <Pii value={c.contact.email} masked={masked} />
            </dd>
            <dt>Phone</dt>
            <dd>
              <Pii value={c.contact.phone} masked={masked} />
            </dd>
            <dt>City</dt>
            <dd>{[c.profile.city, c.profile.country].filter(Boolean).join(', ') || '—'}</dd>
            <dt>Age</dt>
            <dd>
              {c.profile.age ?? '—'}
              {c.profile.birthDate ? ` (born ${c.profile.birthDate})` : masked && c.profile.age != null ? ' (birth date masked)' : ''}
            </dd>
            <dt>Gender</dt>
            <dd>{c.profile.gender ? label(c.profile.gender) : '—'}</dd>
            <dt>Occupation</dt>
            <dd>{c.profile.occupation ?? '—'}</dd>
            <dt>Consents</dt>
            <dd>{c.consents ? c.consents.map((k) => `${label(k.purpose)} ${k.granted ? '✓' : '✗'}`).join(' · ') : '—'}</dd>
          </dl>
        </Card>

        <Card id="standing-title" title="Standing">
          <dl>
            <dt>Lifecycle</dt>
            <dd>
              {c.lifecycle ? (
                <>
                  <strong>{label(c.lifecycle.stage)}</strong>
                  {c.lifecycle.since && ` since ${date(c.lifecycle.since)}`}
                  {c.lifecycle.daysSinceLastActivity != null && ` · last active ${c.lifecycle.daysSinceLastActivity} days ago`}
                  {c.lifecycle.partial && ` (without ${c.lifecycle.missingSources.map((s) => s.toLowerCase()).join(', ')})`}
                </>
              ) : (
                <Missing error={errorOf(errors, 'lifecycle')} nothing="—" />
              )}
            </dd>
            <dt>Value tier</dt>
            <dd>
              {c.valueTier ? <strong>{label(c.valueTier)}</strong> : '—'}
              {c.rfm && (
                <span className="muted">
                  {' '}
                  · RFM {c.rfm.score} ({label(c.rfm.segment)}), {c.rfm.orders365d} orders and {money(c.rfm.spend365d, currency)} in 365 days
                </span>
              )}
            </dd>
            <dt>Churn risk</dt>
            <dd>
              {c.churnRisk ? (
                <>
                  <strong className={`level-${c.churnRisk.level.toLowerCase()}`}>{label(c.churnRisk.level)}</strong> (
                  {c.churnRisk.score.toFixed(2)})
                  <ul className="factors">
                    {c.churnRisk.factors.map((f) => (
                      <li key={f.name}>
                        {f.detail} <span className="muted">+{f.contribution.toFixed(2)}</span>
                      </li>
                    ))}
                  </ul>
                </>
              ) : (
                <Missing error={errorOf(errors, 'churnRisk')} nothing="—" />
              )}
            </dd>
          </dl>
        </Card>

        <Card id="tags-title" title="Tags">
          {c.tags && c.tags.length > 0 ? (
            <ul className="tags">
              {c.tags.map((t) => (
                <li key={t.key}>
                  <details>
                    <summary>
                      {t.label} <span className="muted">{label(t.family)}</span>
                    </summary>
                    <ul className="evidence">
                      {t.evidence.map((e) => (
                        <li key={e.fact}>
                          <code>{e.fact}</code> = {e.value ?? 'none'}
                        </li>
                      ))}
                    </ul>
                  </details>
                </li>
              ))}
            </ul>
          ) : (
            <Missing error={errorOf(errors, 'tags')} nothing="No tag applies." />
          )}
        </Card>

        <Card id="orders-title" title="Recent orders">
          {c.purchaseSummary && (
            <p className="muted">
              {count(c.purchaseSummary.completedOrders)} completed, {money(c.purchaseSummary.totalSpent, currency)} in all
              {c.purchaseSummary.lastOrderAt && `, last ${date(c.purchaseSummary.lastOrderAt)}`}
            </p>
          )}
          {c.orders && c.orders.edges.length > 0 ? (
            <div className="scroll" tabIndex={0} role="region" aria-label="Recent orders">
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Placed</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.orders.edges.map(({ node: o }) => (
                    <tr key={o.id}>
                      <td>
                        <Pii value={o.orderNumber} masked={masked} />
                      </td>
                      <td className="nowrap">{date(o.placedAt)}</td>
                      <td>{label(o.status)}</td>
                      <td className="num">{money(o.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Missing error={errorOf(errors, 'orders')} nothing="No orders yet." />
          )}
        </Card>

        <Card id="tickets-title" title="Open tickets">
          {c.tickets && c.tickets.edges.length > 0 ? (
            <ul className="list">
              {c.tickets.edges.map(({ node: t }) => (
                <li key={t.id}>
                  <Pii value={t.subject} masked={masked} />{' '}
                  <span className="muted">
                    {label(t.priority)} · {label(t.status)} · {t.channel} · opened {date(t.openedAt)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <Missing error={errorOf(errors, 'tickets')} nothing="No open tickets." />
          )}
        </Card>

        <Card id="offers-title" title="Offer next">
          {c.recommendations && c.recommendations.length > 0 ? (
            <ol className="list">
              {c.recommendations.map((r) => (
                <li key={r.product.id}>
                  <strong>{r.product.name}</strong> <span className="muted">{r.product.category}</span>
                  <br />
                  <span className="muted">{r.reasons.map((why) => why.evidence).join('; ')}</span>
                </li>
              ))}
            </ol>
          ) : errorOf(errors, 'recommendations') && notBuilt(errorOf(errors, 'recommendations')!) ? (
            <p className="empty">No recommendations yet: they are built shortly after the API starts.</p>
          ) : (
            <Missing error={errorOf(errors, 'recommendations')} nothing="Nothing to offer." />
          )}
        </Card>

        <Card id="social-title" title="Social">
          {c.social ? (
            <>
              <p>
                Sentiment: <strong>{c.social.sentiment.label ? label(c.social.sentiment.label) : 'no brand mentions'}</strong>
                {c.social.sentiment.score != null &&
                  ` (${c.social.sentiment.score.toFixed(2)}, ${c.social.sentiment.mentions} mentions in a year)`}
              </p>
              {c.social.accounts.length > 0 ? (
                <ul className="list">
                  {c.social.accounts.map((a) => (
                    <li key={`${a.platform}:${a.handle}`}>
                      {a.platform} <Pii value={a.handle} masked={masked} /> {a.verified && <span className="badge">verified</span>}{' '}
                      <span className="muted">{count(a.followers)} followers</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="empty">No social accounts linked.</p>
              )}
            </>
          ) : (
            <Missing error={errorOf(errors, 'social')} nothing="—" />
          )}
        </Card>

        <Card id="timeline-title" title="Behaviour timeline" wide>
          {c.timeline && c.timeline.edges.length > 0 ? (
            <ol className="timeline">
              {c.timeline.edges.map(({ node: e }) => (
                <li key={e.id}>
                  <time dateTime={e.at}>{dateTime(e.at)}</time> <strong>{label(e.type)}</strong>
                  {e.channel && <span className="muted"> · {e.channel}</span>}
                  {e.category && <span> · {e.category}</span>}
                  {e.query && (
                    <>
                      {' '}
                      · “<Pii value={e.query} masked={masked} />”
                    </>
                  )}
                </li>
              ))}
            </ol>
          ) : (
            <Missing error={errorOf(errors, 'timeline')} nothing="No tracked events." />
          )}
        </Card>
      </div>
    </article>
  );
}
