// One error vocabulary: every failed call rejects with connect's ConnectError, whose `code`
// is the gRPC status (Code.NotFound, Code.InvalidArgument, ...) and `rawMessage` the
// server's human-readable explanation.

import { Code, ConnectError } from "@connectrpc/connect";

export { Code, ConnectError };

/** "InvalidArgument: batch_size must be at least 1" — for showing to a person. */
export function describeError(e: unknown): string {
  if (e instanceof ConnectError) return `${Code[e.code]}: ${e.rawMessage}`;
  return e instanceof Error ? e.message : String(e);
}
