/**
 * A minimal undici client for one kubeconfig context, for tests that check the cluster itself
 * (and for the harness) without going through kubegen's transport.
 */
import { readFile } from "node:fs/promises";
import { Agent, request } from "undici";
import type { PemSource } from "../../runtime/config/types.js";
import { clientConfigFor } from "./client-config.js";

export interface RawResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface RawClient {
  server: string;
  namespace: string;
  /** `options.token` replaces the context's credentials with that bearer token. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options?: { token?: string },
  ): Promise<RawResponse<T>>;
  close(): Promise<void>;
}

const pemText = async (source: PemSource | undefined) =>
  source === undefined ? undefined : "pem" in source ? source.pem : readFile(source.file, "utf8");

/** A raw client for one context of a kubeconfig, read by the same hand-written parser as `clientConfigFor`. */
export async function rawClient(kubeconfigPath: string, contextName?: string): Promise<RawClient> {
  const config = await clientConfigFor(contextName, kubeconfigPath);
  const server = config.server;
  const agent = new Agent({
    connect: {
      ca: await pemText(config.tls.ca),
      cert: await pemText(config.tls.clientCertificate?.cert),
      key: await pemText(config.tls.clientCertificate?.key),
      rejectUnauthorized: !config.tls.insecureSkipVerify,
    },
  });
  const user = { token: config.auth.type === "token" ? config.auth.token : undefined };
  return {
    server,
    namespace: config.namespace,
    async request<T>(method: string, path: string, body?: unknown, options?: { token?: string }) {
      const headers: Record<string, string> = { accept: "application/json" };
      const token = options?.token ?? user.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await request(`${server}${path}`, {
        method: method as "GET",
        dispatcher: agent,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (e.g. /healthz): keep the text.
      }
      return { status: res.statusCode, body: parsed as T, headers: res.headers } satisfies RawResponse<T>;
    },
    close: () => agent.close(),
  };
}
