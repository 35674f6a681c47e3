/**
 * A small SOCKS5 proxy (RFC 1928, with RFC 1929 username/password) on 127.0.0.1:0 for transport
 * tests: it records each greeting's credentials and each CONNECT target, then pipes the bytes.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterEach } from "vitest";

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

export interface Socks5Seen {
  /** Credentials of each username/password greeting (RFC 1929). */
  logins: { user: string; password: string }[];
  /** `host:port` of each CONNECT. */
  targets: string[];
}

/** Reads exactly `n` bytes from the socket's buffered stream. */
async function take(socket: Socket, buffer: { data: Buffer }, n: number): Promise<Buffer> {
  while (buffer.data.length < n) {
    const chunk = await new Promise<Buffer>((resolve, reject) => {
      socket.once("data", resolve);
      socket.once("error", reject);
    });
    buffer.data = Buffer.concat([buffer.data, chunk]);
  }
  const out = buffer.data.subarray(0, n);
  buffer.data = buffer.data.subarray(n);
  return out;
}

async function handle(socket: Socket, seen: Socks5Seen, login: boolean, to?: URL): Promise<void> {
  const buffer = { data: Buffer.alloc(0) };
  const [, methodCount = 0] = await take(socket, buffer, 2);
  const methods = [...(await take(socket, buffer, methodCount))];
  if (login) {
    if (!methods.includes(2)) return void socket.end(Buffer.from([5, 0xff]));
    socket.write(Buffer.from([5, 2]));
    const [, userLength = 0] = await take(socket, buffer, 2);
    const user = (await take(socket, buffer, userLength)).toString();
    const [passwordLength = 0] = await take(socket, buffer, 1);
    const password = (await take(socket, buffer, passwordLength)).toString();
    seen.logins.push({ user, password });
    socket.write(Buffer.from([1, 0]));
  } else socket.write(Buffer.from([5, 0]));
  const [, command, , addressType] = await take(socket, buffer, 4);
  let host: string;
  if (addressType === 1) host = [...(await take(socket, buffer, 4))].join(".");
  else if (addressType === 3) {
    const [length = 0] = await take(socket, buffer, 1);
    host = (await take(socket, buffer, length)).toString();
  } else return void socket.destroy();
  const port = (await take(socket, buffer, 2)).readUInt16BE(0);
  if (command !== 1) return void socket.destroy();
  seen.targets.push(`${host}:${port}`);
  const upstream = connect(to ? Number(to.port) : port, to?.hostname ?? host, () => {
    socket.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    if (buffer.data.length) upstream.write(buffer.data);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  sockets.add(upstream);
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
}

/**
 * Starts the proxy; with `login`, it asks for a username and password (and accepts any). With
 * `to` (a URL), every tunnel goes there, whatever was asked: names that do not resolve can stand
 * for a local server. Closed after each test, its connections cut.
 */
export async function serveSocks5(
  options: { login?: boolean; to?: string } = {},
): Promise<{ url: string; seen: Socks5Seen }> {
  const seen: Socks5Seen = { logins: [], targets: [] };
  const server = createServer((socket) => {
    sockets.add(socket);
    handle(socket, seen, options.login ?? false, options.to ? new URL(options.to) : undefined).catch(() =>
      socket.destroy(),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `socks5://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
