/**
 * The Kubernetes port-forward protocol over WebSocket, sans-IO. The `portforward` subresource is
 * asked for with one `ports=` query parameter per pod port and the `v4.channel.k8s.io` subprotocol;
 * each port `i` gets two channels: `2i` carries the data both ways, `2i + 1` an error message from
 * the server. Every channel the server writes starts with the port number (2 bytes, little
 * endian), then its bytes, in as many messages as it likes; the client sends `channel byte + data`.
 *
 * This is what the kubelet's (and KWOK's) streaming server speaks (`cri-streaming`
 * `portforward/websocket.go`); the apiserver passes it through to the node unchanged. kubectl and
 * client-go ≥ 1.30 instead tunnel SPDY in a WebSocket (`SPDY/3.1+portforward.k8s.io`, translated
 * by the apiserver); there is no `v2.portforward.k8s.io` in Kubernetes' sources.
 */

/** The subprotocol asked for. */
export const portForwardProtocols = ["v4.channel.k8s.io"] as const;

/** A forward asked for as kubectl writes it: `"8080"`, `"5000:8080"`, `":8080"` or `"0:8080"` (a free local port). */
export interface PortMapping {
  /** The local port; 0 means any free one. */
  local: number;
  /** The pod's port. */
  remote: number;
}

function port(text: string, what: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(text))
    throw new RangeError(`port-forward: ${what} port ${JSON.stringify(text)} is not a number`);
  const n = Number(text);
  if (n > 65535 || (n === 0 && !allowZero))
    throw new RangeError(`port-forward: ${what} port ${n} is out of range (${allowZero ? 0 : 1}-65535)`);
  return n;
}

/** Reads `"[local:]remote"` (kubectl port-forward's syntax); an empty or `0` local port is any free one. */
export function parsePortMapping(spec: string | number | PortMapping): PortMapping {
  if (typeof spec === "object")
    return {
      local: port(String(spec.local), "local", true),
      remote: port(String(spec.remote), "remote", false),
    };
  const text = String(spec);
  const colon = text.indexOf(":");
  if (colon < 0) {
    const p = port(text, "remote", false);
    return { local: p, remote: p };
  }
  const local = text.slice(0, colon);
  return {
    local: local === "" ? 0 : port(local, "local", true),
    remote: port(text.slice(colon + 1), "remote", false),
  };
}

/** The query of a port-forward: the pod ports, as the apiserver reads them (`ports=80&ports=443`). */
export function portForwardQuery(ports: readonly number[]): { ports: string[] } {
  if (ports.length === 0) throw new RangeError("port-forward: no port asked for");
  return { ports: ports.map((p) => String(port(String(p), "remote", false))) };
}

/** One message to send: data for the `index`-th port asked for. */
export function encodePortData(index: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out[0] = index * 2;
  out.set(data, 1);
  return out;
}

/** What a server message says: bytes from the pod's port, or part of an error for it. */
export type PortForwardEvent =
  | { type: "data"; index: number; port: number; data: Uint8Array }
  | { type: "error"; index: number; port: number; data: Uint8Array };

/**
 * Decodes the server's messages for the ports asked for (in the order of the query): strips each
 * channel's leading port number, checks it, and hands out data and error bytes. Messages may split
 * a channel's bytes anywhere, even inside the port number.
 */
export class PortForwardDecoder {
  readonly #ports: readonly number[];
  /** Per channel: the port bytes still expected, and those seen so far. */
  readonly #prefix: { left: number; bytes: number[] }[];

  constructor(ports: readonly number[]) {
    this.#ports = ports;
    this.#prefix = ports.flatMap(() => [
      { left: 2, bytes: [] },
      { left: 2, bytes: [] },
    ]);
  }

  /** The events of one message (none while a channel's port number is still arriving). */
  decode(message: Uint8Array): PortForwardEvent[] {
    if (message.length === 0) throw new SyntaxError("port-forward: an empty message has no channel");
    const channel = message[0] as number;
    const prefix = this.#prefix[channel];
    if (prefix === undefined)
      throw new SyntaxError(
        `port-forward: channel ${channel} is not one of the ${this.#ports.length * 2} asked for`,
      );
    const index = channel >> 1;
    const port = this.#ports[index] as number;
    let data = message.subarray(1);
    if (prefix.left > 0) {
      const take = Math.min(prefix.left, data.length);
      prefix.bytes.push(...data.subarray(0, take));
      prefix.left -= take;
      data = data.subarray(take);
      if (prefix.left > 0) return [];
      const got = (prefix.bytes[0] as number) | ((prefix.bytes[1] as number) << 8);
      if (got !== port)
        throw new SyntaxError(`port-forward: channel ${channel} is for port ${got}, not ${port} as asked`);
    }
    if (data.length === 0) return [];
    return [{ type: channel % 2 === 0 ? "data" : "error", index, port, data }];
  }

  /** Whether the server has started every channel (sent its port number). */
  get started(): boolean {
    return this.#prefix.every((p) => p.left === 0);
  }
}
