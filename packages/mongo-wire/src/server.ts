import net from 'node:net';
import { Commands } from './commands';
import { Persistence } from './persistence';
import { Store } from './store';
import { MessageFramer, opMsgReply, opReply, parseMessage, WireError } from './wire';

export interface MongoServerOptions {
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Keep data in this directory across restarts; in memory when absent. */
  dbpath?: string;
  log?: (line: string) => void;
}

export interface RunningMongoServer {
  host: string;
  port: number;
  uri: string;
  /** Documents loaded from dbpath at start. */
  loaded: number;
  close(): Promise<void>;
}

/**
 * The embedded MongoDB-compatible server: OP_MSG and the legacy OP_QUERY handshake over TCP, each
 * connection's messages answered in order. Commands run synchronously against the in-memory store.
 */
export async function startMongoServer(options: MongoServerOptions = {}): Promise<RunningMongoServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const store = new Store();
  const opened = options.dbpath ? Persistence.open(options.dbpath, store) : undefined;
  const commands = new Commands(store);
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const server = net.createServer((socket) => {
    const session = { connectionId: ++connections };
    const framer = new MessageFramer();
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      try {
        for (const frame of framer.push(chunk)) {
          const request = parseMessage(frame);
          if (request.kind === 'query') {
            const reply = request.collection.endsWith('.$cmd')
              ? commands.run({ ...request.query, $db: request.collection.slice(0, -'.$cmd'.length) }, session)
              : { ok: 0, errmsg: 'OP_QUERY is only supported for commands', code: 352, codeName: 'UnsupportedOpQueryCommand' };
            socket.write(opReply(request.requestId, reply));
          } else {
            const reply = commands.run(request.body, session);
            if (!request.moreToCome) socket.write(opMsgReply(request.requestId, reply));
          }
        }
      } catch (error) {
        log(`closing connection ${session.connectionId}: ${error instanceof WireError ? error.message : String(error)}`);
        socket.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    uri: `mongodb://${host}:${port}/?directConnection=true`,
    loaded: opened?.documents ?? 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      opened?.persistence.close();
    },
  };
}
