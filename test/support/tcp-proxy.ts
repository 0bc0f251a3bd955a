/**
 * A TCP proxy on 127.0.0.1 for cutting a client's connections to a server and restoring them. It
 * forwards bytes unchanged, so for Kafka it only sits in the path when the broker advertises the
 * proxy's address in its metadata (spawnBroker's `advertise`): otherwise clients would bootstrap
 * through it and then connect to the broker directly.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Where connections go from now on; connections arriving before this are reset. */
  forwardTo(address: string): void;
  /** Resets every open connection and resets new ones at once until `restore()`. */
  cut(): void;
  restore(): void;
  /** Connections forwarded since the start. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let target: { host: string; port: number } | undefined;
  let down = false;
  let accepted = 0;

  const server = createServer((client) => {
    if (down || target === undefined) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = connect(target.port, target.host);
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(socket);
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        open.delete(socket);
        peer.destroy();
      });
      socket.pipe(peer);
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));

  const cut = () => {
    down = true;
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };
  return {
    port: (server.address() as { port: number }).port,
    forwardTo(address) {
      const at = address.lastIndexOf(':');
      target = { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
    },
    cut,
    restore: () => {
      down = false;
    },
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
