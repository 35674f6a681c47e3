/**
 * Authentication: a static bearer token, basic auth, or a credential source (token file, exec
 * plugin) asked before each request. After a 401, a source is invalidated and the request is sent
 * once more with fresh credentials (client-go re-runs the exec plugin but returns the 401; a
 * replayable request can do better).
 */
import type { Dispatcher } from "undici";
import type { AuthConfig } from "../../config/types.js";
import { TransportError } from "../../errors.js";
import { clientCertificateOption, type TaggedOptions } from "../client-certificate.js";
import { ReplayHandler } from "../replay-handler.js";
import { flatHeaders, hasHeader, headerPairs } from "./headers.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

function withAuthorization(opts: Dispatcher.DispatchOptions, value: string): Dispatcher.DispatchOptions {
  const pairs = headerPairs(opts.headers);
  if (hasHeader(pairs, "authorization")) return opts;
  return { ...opts, headers: flatHeaders([...pairs, ["authorization", value]]) };
}

/** Adds `Authorization` from the config; a request that has one keeps it. */
export function auth(config: AuthConfig): Interceptor {
  switch (config.type) {
    case "none":
      return (dispatch) => dispatch;
    case "token": {
      const value = `Bearer ${config.token}`;
      return (dispatch) => (opts, handler) => dispatch(withAuthorization(opts, value), handler);
    }
    case "basic": {
      const value = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString("base64")}`;
      return (dispatch) => (opts, handler) => dispatch(withAuthorization(opts, value), handler);
    }
    case "source": {
      const source = config.source;
      return (dispatch) => {
        const send = (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => {
          source.get().then(
            (credentials) => {
              let authed: TaggedOptions = credentials.token
                ? withAuthorization(opts, `Bearer ${credentials.token}`)
                : opts;
              if (credentials.clientCertificate) {
                authed = { ...authed, [clientCertificateOption]: credentials.clientCertificate };
              }
              dispatch(authed, handler);
            },
            (err: unknown) => {
              const error = new TransportError(
                "ECREDENTIALS",
                `could not get credentials from ${source.description}: ${err instanceof Error ? err.message : String(err)}`,
                { cause: err },
              );
              handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, error);
            },
          );
          return true;
        };
        return (opts, handler) =>
          send(
            opts,
            new ReplayHandler(send, opts, handler, {
              onResponse: (status, _headers, attempt) =>
                status === 401 && attempt === 0
                  ? { replay: true, delayMs: 0, before: () => source.invalidate() }
                  : { replay: false },
            }),
          );
      };
    }
  }
}
