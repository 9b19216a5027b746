import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy in front of a source, to cut it without stopping it and to count who reaches it. */
export interface CuttableProxy {
  port: number;
  /** Connections accepted so far (refused ones included): a client that did not try to reach the source adds none. */
  readonly accepted: number;
  /** Resets every open connection, and every new one until heal(): the source looks dead to its clients. */
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function cuttableProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const open = new Set<net.Socket>();
  let cut = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    if (cut) return void client.resetAndDestroy();
    const upstream = net.connect(target.port, target.host);
    const pair = [client, upstream];
    for (const s of pair) {
      open.add(s);
      s.on('error', () => pair.forEach((x) => x.destroy()));
      s.on('close', () => {
        open.delete(s);
        pair.forEach((x) => x.destroy());
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    cut() {
      cut = true;
      for (const s of open) s.resetAndDestroy();
    },
    heal() {
      cut = false;
    },
    close: () => {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
