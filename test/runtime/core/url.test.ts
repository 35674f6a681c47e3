/** The one URL redactor: what of a URL may reach an error or a log line. */
import { describe } from "vitest";
import { hasUserInfo, redactUrl } from "../../../runtime/core/url.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("redactUrl", () => {
  const cases: Cases<string, string> = [
    [
      "a plain URL keeps scheme, host, port and path",
      { given: "https://127.0.0.1:6443/api/v1/pods", want: "https://127.0.0.1:6443/api/v1/pods" },
    ],
    [
      "user info, query and fragment go",
      { given: "https://u:p@host/api/v1/pods?token=x#f", want: "https://host/api/v1/pods" },
    ],
    [
      "an @ in the query is not user info",
      { given: "https://host/api?labelSelector=a@b", want: "https://host/api" },
    ],
    [
      "a # in the password: everything up to the last @ goes",
      { given: "https://admin:p@ss#w0rd@host:6443/x?y", want: "https://host:6443/x" },
    ],
    [
      "a URL that does not parse is redacted as text",
      { given: "https://admin:pa@s3cr3t@kube.example:99999", want: "https://kube.example:99999" },
    ],
    [
      "a slash in a password, which a parser takes for the end of the host",
      { given: "https://admin:1234/s3cr3t@kube.example/api", want: "https://kube.example/api" },
    ],
    [
      "text without a scheme is never read as scheme:path",
      { given: "admin:s3 cr3t@kube.example", want: "kube.example" },
    ],
    ["text that is no URL loses its query", { given: "not a url?token=abc", want: "not a url" }],
  ];
  runCases(cases, redactUrl);
});

describe("hasUserInfo", () => {
  const cases: Cases<string, boolean> = [
    ["an @ after the scheme", { given: "https://admin:x@host", want: true }],
    ["an @ without a scheme", { given: "admin:x@host", want: true }],
    ["no @", { given: "https://host:6443/api", want: false }],
  ];
  runCases(cases, hasUserInfo);
});
