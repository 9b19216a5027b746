import { DatabaseError } from 'pg';
import { errorSummary } from '../../src/logger';
import { prettyLines } from '../../src/logFormat';

describe('errorSummary', () => {
  it("keeps an error's class, message and code, never its stack or what a library hung on it", () => {
    const lost = Object.assign(new DatabaseError('terminating connection due to administrator command', 116, 'error'), {
      code: '57P01',
      client: { processID: 4242, secretKey: 1234, connection: { stream: {} } },
    });
    expect(errorSummary(lost)).toEqual({ type: 'error', message: 'terminating connection due to administrator command', code: '57P01' });
    expect(errorSummary(new TypeError('x is undefined'))).toEqual({ type: 'TypeError', message: 'x is undefined' });
    expect(errorSummary('a rejected string')).toEqual({ type: 'string', message: 'a rejected string' });
  });
});

describe('prettyLines', () => {
  const render = (record: Record<string, unknown>) => {
    let out = '';
    prettyLines({ write: (text: string) => ((out += text), true) } as unknown as NodeJS.WritableStream, false).write(
      JSON.stringify(record),
    );
    return out;
  };

  it('renders a GraphQL request as one line: method, operation, status, duration, roles, error codes', () => {
    const line = render({
      level: 30,
      time: Date.UTC(2026, 0, 1, 9, 30, 5),
      msg: 'graphql request',
      requestId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      subject: 'agent-7',
      roles: ['agent'],
      method: 'POST',
      operation: 'CustomerLookup',
      durationMs: 12.3,
      status: 200,
      errors: ['CONSENT_REQUIRED'],
      roundTrips: { crm: 2, behaviour: 1, social: 0 },
    });
    expect(line).toMatch(/^\[\d\d:\d\d:05\] INFO: graphql POST CustomerLookup 200 12.3 ms agent errors=CONSENT_REQUIRED\n$/);
  });

  it('renders any other record on one line, its fields after the message', () => {
    const line = render({
      level: 40,
      time: 0,
      pid: 1,
      hostname: 'h',
      msg: 'source unavailable',
      source: 'social',
      path: ['customer', 'social'],
    });
    expect(line.split('\n')).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] WARN: source unavailable \{"source":"social","path":\["customer","social"\]\}$/),
      '',
    ]);
  });
});
