// One error vocabulary: every failed call rejects with connect's ConnectError, whose `code`
// is the gRPC status (Code.NotFound, Code.InvalidArgument, ...) and `rawMessage` the
// server's human-readable explanation.

import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

export { Code, ConnectError };

/** "InvalidArgument: batch_size must be at least 1" — for showing to a person. */
export function describeError(e: unknown): string {
  if (e instanceof ConnectError) return `${Code[e.code]}: ${e.rawMessage}`;
  return e instanceof Error ? e.message : String(e);
}

/** Node's TLS codes for a server certificate it does not trust (or that does not name the host). */
const UNTRUSTED_CERTIFICATE = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * Node's fetch rejects a certificate it does not trust as "fetch failed" (code Unknown), with
 * the reason deep in `cause`: this turns it into Unavailable saying what to do. (Browsers say
 * nothing to the page about certificates; they show the user instead.)
 */
export const explainUntrustedCertificate: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (e) {
    for (let c: unknown = e; c instanceof Error; c = c.cause) {
      const code = (c as { code?: unknown }).code;
      if (typeof code === "string" && UNTRUSTED_CERTIFICATE.has(code)) {
        throw new ConnectError(
          `the server's TLS certificate is not trusted (${code}: ${c.message}); in Node, start with ` +
            "NODE_EXTRA_CA_CERTS=<its certificate, PEM> (a --tls-self-signed server writes <data-dir>/tls/cert.pem)",
          Code.Unavailable,
          undefined,
          undefined,
          e,
        );
      }
    }
    throw e;
  }
};
