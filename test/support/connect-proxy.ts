/**
 * An HTTP CONNECT proxy on loopback for the proxy tests: it records each tunnel's target and the
 * `Proxy-Authorization` it was sent, and always dials 127.0.0.1 at the target's port, whatever host
 * was asked for, so no test traffic can leave the machine.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** The `host:port` of each CONNECT, in order. */
  tunnels: string[];
  /** The `Proxy-Authorization` header of each CONNECT (undefined where none was sent). */
  authorizations: (string | undefined)[];
  server: Server;
  /** Closes the proxy and every tunnel. */
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server = createServer();
  server.on("connect", (req: IncomingMessage, socket, head) => {
    tunnels.push(req.url!);
    authorizations.push(req.headers["proxy-authorization"]);
    const port = Number(req.url!.slice(req.url!.lastIndexOf(":") + 1));
    const upstream = connect(port, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    authorizations,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
