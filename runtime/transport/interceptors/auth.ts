/**
 * Authentication: a static bearer token, basic auth, or a credential source (token file, exec
 * plugin) asked before each request. A source may hand out a bearer token, a client certificate,
 * or both: the token goes into `Authorization`, the certificate tags the request so the
 * `ClientCertificateDispatcher` sends it over a connection that presents it. After a 401 a source is
 * invalidated and the request is sent once more with fresh credentials (client-go re-runs the exec
 * plugin but returns the 401; a request whose body can be replayed can do better). A request that
 * already carries `Authorization` keeps it.
 */
import type { Dispatcher } from "undici";
import type { AuthConfig, CredentialSource } from "../../config/types.js";
import { TransportError } from "../../errors.js";
import { clientCertificateOption, type TaggedOptions } from "../client-certificate.js";
import { failBeforeStart, signalOf } from "../handler.js";
import { ReplayHandler } from "../replay-handler.js";
import { flatHeaders, hasHeader, headerPairs } from "./headers.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;
type Dispatch = Dispatcher["dispatch"];

function withAuthorization(opts: Dispatcher.DispatchOptions, value: string): Dispatcher.DispatchOptions {
  const pairs = headerPairs(opts.headers);
  if (hasHeader(pairs, "authorization")) return opts;
  return { ...opts, headers: flatHeaders([...pairs, ["authorization", value]]) };
}

/**
 * The auth layer for a configuration.
 *
 * @example
 * agent.compose(auth({ type: "token", token }))
 */
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
    case "source":
      return sourceAuth(config.source);
  }
}

function sourceAuth(source: CredentialSource): Interceptor {
  return (dispatch) => {
    // Sends one attempt with the source's current credentials.
    const send: Dispatch = (opts, handler) => {
      const signal = signalOf(opts);
      source.get(signal).then(
        (credentials) => {
          if (signal?.aborted) {
            const reason = signal.reason as unknown;
            failBeforeStart(handler, reason instanceof Error ? reason : new Error("aborted"));
            return;
          }
          let authed: TaggedOptions = credentials.token
            ? withAuthorization(opts, `Bearer ${credentials.token}`)
            : opts;
          if (credentials.clientCertificate) {
            authed = { ...authed, [clientCertificateOption]: credentials.clientCertificate };
          }
          dispatch(authed, handler);
        },
        (err: unknown) => {
          // The source's message is its own; it must not contain secrets (sources promise that).
          const error = new TransportError(
            "ECREDENTIALS",
            `could not get credentials from ${source.description}: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
          failBeforeStart(handler, error);
        },
      );
      return true;
    };
    return (opts, handler) => {
      if (hasHeader(headerPairs(opts.headers), "authorization")) return dispatch(opts, handler);
      return send(
        opts,
        new ReplayHandler(send, opts, handler, {
          onResponse: (status, _headers, attempt) => {
            if (status !== 401) return { replay: false };
            // Every 401 means the credentials went stale, as client-go re-runs the plugin on each.
            source.invalidate();
            return attempt === 0 ? { replay: true, delayMs: 0 } : { replay: false };
          },
        }),
      );
    };
  };
}
