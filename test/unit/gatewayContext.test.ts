import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, printSchema } from 'graphql';
import { installGatewayContext } from '../../src/gatewayContext';

/** A gateway whose executor keeps the request context it was handed and answers from it. */
function capturingGateway(seen: GatewayGraphQLRequestContext[]) {
  const schema = buildSchema('type Query { hello: String }');
  return {
    load: () =>
      Promise.resolve({
        executor: async (rc: GatewayGraphQLRequestContext) => {
          seen.push(rc);
          rc.response!.http!.status = 203;
          rc.response!.http!.headers.set('x-from-gateway', rc.request.http!.headers.get('x-caller') ?? 'none');
          return { data: { hello: `${rc.operationName}:${(rc.context as { who: string }).who}:${rc.request.http!.url}` } };
        },
      }),
    onSchemaLoadOrUpdate(callback: (s: { apiSchema: typeof schema; coreSupergraphSdl: string }) => void) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}

describe("the gateway request context (Apollo's, replaced)", () => {
  it('reads and writes the request as Apollo does, with no accessor closures of its own (one hidden class for every request)', async () => {
    expect(installGatewayContext()).toBe(true);
    const seen: GatewayGraphQLRequestContext[] = [];
    const server = new ApolloServer<{ who: string }>({ gateway: capturingGateway(seen) });
    await server.start();
    try {
      const ask = async (who: string) => {
        const headers = new HeaderMap([
          ['content-type', 'application/json'],
          ['x-caller', who],
        ]);
        return server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers, search: 'a=1', body: { query: 'query Q { hello }', operationName: 'Q' } },
          context: async () => ({ who }),
        });
      };
      const [first, second] = [await ask('ana'), await ask('bo')];
      // The executor's writes reach Apollo's response; what it reads is the request's.
      expect(first.status).toBe(203);
      expect(first.headers.get('x-from-gateway')).toBe('ana');
      expect(second.headers.get('x-from-gateway')).toBe('bo');
      expect(first.body.kind === 'complete' && JSON.parse(first.body.string)).toEqual({
        data: { hello: 'Q:ana:https://unknown-url.invalid/?a=1' },
      });
      expect(seen.map((rc) => rc.request.query)).toEqual(['query Q { hello }', 'query Q { hello }']);
      // Apollo's own puts a getter and setter on each request's object (a new hidden class in the old
      // generation per request, holding the request alive through young collections): none here.
      for (const rc of seen) expect(Object.getOwnPropertyDescriptor(rc.response!.http!, 'status')).toBeUndefined();
      expect(Object.getPrototypeOf(seen[0]!.response!.http!)).toBe(Object.getPrototypeOf(seen[1]!.response!.http!));
    } finally {
      await server.stop();
    }
  });
});
