/**
 * A loopback TCP proxy the test controls: it listens on 127.0.0.1 (a free port) and forwards
 * every connection, byte for byte, to a target port on 127.0.0.1, so a test can cut connections
 * mid-stream (`cutAll()`) as a network failure would, without touching the apiserver. TLS passes
 * through untouched: the apiserver's certificate is for 127.0.0.1, which the proxy's address is too.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { ClientConfig } from "../../runtime/config/types.js";

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted so far (each is one client connection, however many requests it carried). */
  readonly accepted: number;
  /** Connections open right now. */
  readonly open: number;
  /** Destroys every open connection, both sides, at once; new connections are still accepted. */
  cutAll(): void;
  /**
   * While true, every connection is closed as soon as it is accepted (a network partition);
   * setting it true also cuts the open ones.
   */
  blocked: boolean;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts a proxy from 127.0.0.1:<free port> to 127.0.0.1:`targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let blocked = false;
  const server: Server = createServer((client) => {
    accepted++;
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Either side failing or closing ends both, as a broken connection would.
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on("error", end);
      socket.on("close", end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("tcp proxy: no address");
  const cutAll = () => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cutAll,
    get blocked() {
      return blocked;
    },
    set blocked(value: boolean) {
      blocked = value;
      if (value) cutAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}

/**
 * `config` sent through `proxy`: the same server URL with the proxy's port. Same host, so the
 * TLS name check still passes; nothing else changes.
 */
export function configThroughProxy(config: ClientConfig, proxy: Pick<TcpProxy, "port">): ClientConfig {
  const url = new URL(config.server);
  if (url.hostname !== "127.0.0.1") {
    throw new Error(
      `tcp proxy: the server ${url.host} is not on 127.0.0.1, so its certificate would not fit`,
    );
  }
  url.port = String(proxy.port);
  return { ...config, server: url.origin + url.pathname.replace(/\/$/, "") };
}
