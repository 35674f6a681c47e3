/**
 * A setup file of every test project: the suite runs with request logging at its highest level
 * (`KUBEGEN_LOG_LEVEL=9`, see vitest.config.ts), and everything the runtime and the tests write to
 * stdout and stderr is scanned, after each file, for the suite's known secrets: the test cluster's
 * tokens and client key, and the fixtures' `s3cr3t` values. A hit fails the file, naming the
 * secret's kind and never the secret. The log lines themselves are kept out of the test output.
 */
import { readFile } from "node:fs/promises";
import { afterAll, inject } from "vitest";
import { parse } from "yaml";
import { environmentLogPrefix } from "../../runtime/transport/interceptors/logging.js";

const written: string[] = [];

function capture(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    written.push(text);
    if (text.startsWith(environmentLogPrefix)) {
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
capture(process.stdout);
capture(process.stderr);

/** The secrets of the test cluster's kubeconfig (e2e only): tokens and the client key. */
async function clusterSecrets(): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  let kubeconfig: string | undefined;
  try {
    kubeconfig = inject("cluster")?.kubeconfig;
  } catch {
    return secrets;
  }
  if (!kubeconfig) return secrets;
  const config = parse(await readFile(kubeconfig, "utf8")) as {
    users?: { name: string; user?: { token?: string; "client-key-data"?: string } }[];
  };
  for (const { name, user } of config.users ?? []) {
    if (user?.token) secrets.set(user.token, `the token of user ${name}`);
    const key = user?.["client-key-data"];
    if (key) {
      secrets.set(key, `the client key of user ${name}`);
      // A line of the key's PEM body, in case it were printed decoded.
      const body = Buffer.from(key, "base64").toString("utf8").split("\n")[1];
      if (body && body.length > 20) secrets.set(body, `the client key of user ${name}`);
    }
  }
  return secrets;
}

afterAll(async () => {
  const text = written.join("");
  written.length = 0;
  const found: string[] = [];
  for (const [secret, what] of await clusterSecrets()) if (text.includes(secret)) found.push(what);
  for (const m of text.matchAll(/s3cr3t[\w-]*/g)) found.push(`a fixture secret (${m[0].length} characters)`);
  if (found.length) throw new Error(`secrets in the output of this file: ${[...new Set(found)].join("; ")}`);
});
