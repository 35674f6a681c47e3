/**
 * Port-forward over WebSocket against a local server that speaks the protocol as the kubelet's
 * (and KWOK's) streaming server does behind the apiserver: `v4.channel.k8s.io`, one `ports=` per
 * pod port, each channel opened with its port number. Pod port 80 echoes, 81 refuses on the error
 * channel, 82 drops the connection after the first message, 83 says "bye" and ends cleanly.
 */
import { connect, createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { PortForwardError } from "../../../runtime/clients/port-forward.js";
import { ResourceClient } from "../../../runtime/clients/resource-client.js";
import type { KubeObject } from "../../../runtime/core/object.js";
import { HttpClient } from "../../../runtime/rest/http-client.js";
import { podsWith, usePodStreamServer } from "../../support/ws-server.js";

const portBytes = (port: number) => [port & 0xff, port >> 8];

const streams = usePodStreamServer(
  ["portforward"],
  (_url, offered) => (offered.includes("v4.channel.k8s.io") ? "v4.channel.k8s.io" : undefined),
  (conn) => {
    const port = Number(conn.url.searchParams.get("ports"));
    // Each channel starts with the port number; the data channel split across two messages.
    conn.send(Uint8Array.of(0, portBytes(port)[0] as number));
    conn.send(Uint8Array.of(0, portBytes(port)[1] as number));
    conn.send(Uint8Array.of(1, ...portBytes(port)));
    if (port === 80) conn.onMessage((m) => m[0] === 0 && conn.send(m));
    if (port === 81) {
      conn.send(
        Uint8Array.of(
          1,
          ...Buffer.from(
            `error forwarding port 81 to pod web-0, uid : dial tcp 127.0.0.1:81: connection refused`,
          ),
        ),
      );
      conn.close();
    }
    if (port === 82) conn.onMessage(() => conn.drop());
    if (port === 83) {
      conn.send(Uint8Array.of(0, ...Buffer.from("bye")));
      conn.close();
    }
  },
);
const server = () => streams.server();
const client = () => streams.client();

/** Connects to a local port, writes `text`, and reads until the connection ends or `until` is seen. */
function talk(port: number, text: string, until?: string): Promise<{ got: string; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let got = "";
    socket.on("connect", () => socket.write(text));
    socket.on("data", (d) => {
      got += d.toString();
      if (until !== undefined && got.includes(until)) {
        socket.destroy();
        resolve({ got, ended: false });
      }
    });
    socket.on("end", () => resolve({ got, ended: true }));
    socket.on("close", () => resolve({ got, ended: true }));
    // A forward that fails resets the local connection.
    socket.on("error", (err: NodeJS.ErrnoException) =>
      err.code === "ECONNRESET" ? resolve({ got, ended: true }) : reject(err),
    );
  });
}

describe("portForwardStream", () => {
  it("asks for the port with v4.channel.k8s.io through the same transport, and carries bytes both ways", async () => {
    const stream = await client().portForwardStream("web-0", 80);
    const conn = server().connections.at(-1)!;
    expect(conn.url.pathname).toBe("/api/v1/namespaces/ns1/pods/web-0/portforward");
    expect(conn.url.searchParams.getAll("ports")).toEqual(["80"]);
    expect(conn.protocols).toBe("v4.channel.k8s.io");
    expect(conn.authorization).toBe("Bearer stream-test-token");
    stream.write(Buffer.from("ping"));
    const chunks: string[] = [];
    for await (const chunk of stream.data) {
      chunks.push(Buffer.from(chunk).toString());
      if (chunks.join("") === "ping") stream.close();
    }
    await stream.done;
    expect(chunks.join("")).toBe("ping");
  });

  it("rejects with the error channel's message when the pod's side refuses", async () => {
    const stream = await client().portForwardStream("web-0", 81);
    const error = await stream.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortForwardError);
    expect(error).toMatchObject({ port: 81, message: expect.stringContaining("connection refused") });
    // The data iterator ends with the same error.
    await expect(
      (async () => {
        for await (const _ of stream.data);
      })(),
    ).rejects.toBe(error);
  });

  it("rejects when the connection is lost without a close message", async () => {
    const stream = await client().portForwardStream("web-0", 82);
    stream.write(Buffer.from("x"));
    await expect(stream.done).rejects.toThrow(/the connection was lost \(code 1006\)/);
  });

  it("ends cleanly when the pod's side closes", async () => {
    const stream = await client().portForwardStream("web-0", 83);
    let got = "";
    for await (const chunk of stream.data) got += Buffer.from(chunk).toString();
    await stream.done;
    expect(got).toBe("bye");
  });
});

describe("portForward", () => {
  it("listens on 127.0.0.1, reports the free port it bound, and forwards many connections at once", async () => {
    const before = server().connections.length;
    const forward = await client().portForward("web-0", [":80", { local: 0, remote: 83 }]);
    try {
      expect(forward.ports).toEqual([
        { local: expect.any(Number), remote: 80 },
        { local: expect.any(Number), remote: 83 },
      ]);
      const [echo, bye] = forward.ports.map((p) => p.local) as [number, number];
      expect(echo).toBeGreaterThan(0);
      const texts = Array.from({ length: 8 }, (_, i) => `connection ${i} `.repeat(50 + i));
      const answers = await Promise.all(texts.map((t) => talk(echo, t, t)));
      expect(answers.map((a) => a.got)).toEqual(texts);
      // One WebSocket per TCP connection, each asking for pod port 80.
      const opened = server().connections.slice(before);
      expect(opened).toHaveLength(8);
      for (const c of opened) expect(c.url.searchParams.getAll("ports")).toEqual(["80"]);
      // The pod's side ending ends the local connection, after its bytes.
      expect(await talk(bye, "")).toEqual({ got: "bye", ended: true });
    } finally {
      await forward.close();
    }
  });

  it("reports a refused connection to onError and closes only that one", async () => {
    const errors: PortForwardError[] = [];
    const forward = await client().portForward("web-0", [":81", ":80"], { onError: (e) => errors.push(e) });
    try {
      const [refused, echo] = forward.ports.map((p) => p.local) as [number, number];
      expect(await talk(refused, "hello?")).toEqual({ got: "", ended: true });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(PortForwardError);
      expect(errors[0]).toMatchObject({
        port: 81,
        localPort: refused,
        message: expect.stringContaining("error forwarding port 81"),
      });
      // The listener and the other forward go on.
      expect((await talk(echo, "still here", "still here")).got).toBe("still here");
      expect(await talk(refused, "again")).toEqual({ got: "", ended: true });
      expect(errors).toHaveLength(2);
    } finally {
      await forward.close();
    }
  });

  it("reports a lost connection", async () => {
    const errors: PortForwardError[] = [];
    const forward = await client().portForward("web-0", [":82"], { onError: (e) => errors.push(e) });
    try {
      expect((await talk(forward.ports[0]!.local, "x")).ended).toBe(true);
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/connection was lost/)]);
    } finally {
      await forward.close();
    }
  });

  it("reports a connection the apiserver refuses to open", async () => {
    // An apiserver that is not there: a port that was just free.
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, "127.0.0.1", r));
    const deadPort = (gone.address() as { port: number }).port;
    await new Promise((r) => gone.close(r));
    const nowhere = HttpClient.forConfig({
      server: `http://127.0.0.1:${deadPort}`,
      namespace: "default",
      tls: {},
      auth: { type: "none" },
    });
    const errors: PortForwardError[] = [];
    const forward = await new ResourceClient<KubeObject>(nowhere, podsWith("portforward"), "ns1").portForward(
      "web-0",
      ["0:80"],
      {
        onError: (e) => errors.push(e),
      },
    );
    try {
      expect((await talk(forward.ports[0]!.local, "x")).ended).toBe(true);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ port: 80, localPort: forward.ports[0]!.local });
      expect(errors[0]?.cause).toBeDefined();
    } finally {
      await forward.close();
      await nowhere.close();
    }
  });

  it("close() and the signal stop listening and close open connections", async () => {
    const abort = new AbortController();
    const forward = await client().portForward("web-0", [":80"], { signal: abort.signal });
    const port = forward.ports[0]!.local;
    const open = connect(port, "127.0.0.1");
    const ended = new Promise((r) => open.on("close", r));
    open.on("error", () => {});
    await new Promise((r) => open.on("connect", r));
    open.write("x");
    await new Promise((r) => open.once("data", r));
    abort.abort();
    await forward.closed;
    await ended;
    await expect(talk(port, "x")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("binds all ports or none, and listens on loopback only", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const taken = (busy.address() as { port: number }).port;
    try {
      await expect(client().portForward("web-0", [":80", `${taken}:80`])).rejects.toThrow(/EADDRINUSE/);
      await expect(
        client().portForward("web-0", [":80"], { address: "0.0.0.0" as "127.0.0.1" }),
      ).rejects.toThrow(/loopback only/);
      await expect(client().portForward("web-0", ["x"])).rejects.toThrow(/not a number/);
    } finally {
      busy.close();
    }
  });
});
