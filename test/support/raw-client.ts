/**
 * A minimal undici client built straight from a kubeconfig context, for tests that check the
 * cluster itself (and for the harness) without going through kubegen's runtime.
 */
import { readFile } from "node:fs/promises";
import { Agent, request } from "undici";
import { parse } from "yaml";

interface KubeconfigFile {
  "current-context"?: string;
  clusters?: { name: string; cluster: Record<string, string | boolean | undefined> }[];
  users?: { name: string; user: Record<string, string | undefined> }[];
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

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

const fromB64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : undefined);

export async function rawClient(kubeconfigPath: string, contextName?: string): Promise<RawClient> {
  const config = parse(await readFile(kubeconfigPath, "utf8")) as KubeconfigFile;
  const name = contextName || config["current-context"];
  const context = config.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new Error(`${kubeconfigPath}: context ${name} not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster) throw new Error(`${kubeconfigPath}: cluster ${context.cluster} not found`);
  const server = String(cluster.server);
  const agent = new Agent({
    connect: {
      ca: fromB64(cluster["certificate-authority-data"] as string | undefined),
      cert: fromB64(user["client-certificate-data"]),
      key: fromB64(user["client-key-data"]),
      rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
    },
  });
  return {
    server,
    namespace: context.namespace ?? "default",
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
