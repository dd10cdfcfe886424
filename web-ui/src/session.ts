// The bearer token of this tab, for a server started with --auth token: taken once from the
// address bar (the server prints its URL with ?token=, as Jupyter does) and removed from it, kept
// in sessionStorage (a reload stays signed in; a new tab or window asks again), sent with every
// gRPC-Web call and added to the export links. Also what the server said when it refused to
// let this token steer, so that every run's controls can say so before they are clicked.

import { Code, ConnectError } from "@eiscope/client";

const TOKEN_KEY = "eiscope.token";
const REFUSAL_KEY = "eiscope.steer-refusal";

type RefusalListener = (message: string) => void;
const refusalListeners = new Set<RefusalListener>();

/** Moves `?token=` from the address bar into the session (history.replaceState: no reload, no new history entry). */
export function adoptTokenFromAddress(): void {
  const url = new URL(location.href);
  const t = url.searchParams.get("token");
  if (t === null) return;
  url.searchParams.delete("token");
  if (t.trim() !== "") setToken(t.trim());
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

/** The token held, or undefined (a server without authentication needs none). */
export function token(): string | undefined {
  return read(TOKEN_KEY);
}

/** Holds `t` for the rest of the session; what a previous token was refused no longer applies. */
export function setToken(t: string): void {
  write(TOKEN_KEY, t);
  write(REFUSAL_KEY, undefined);
}

export function signOut(): void {
  write(TOKEN_KEY, undefined);
  write(REFUSAL_KEY, undefined);
}

/** The page's fetch: the global one, with `authorization: Bearer <token>` when a token is held. */
export const authorizedFetch: typeof fetch = (input, init) => {
  const t = token();
  if (t === undefined) return fetch(input, init);
  const headers = new Headers(init?.headers);
  headers.set("authorization", `Bearer ${t}`);
  return fetch(input, { ...init, headers });
};

/** `url` with `?token=` added when a token is held: for links, which cannot carry a header. */
export function withToken(url: string): string {
  const t = token();
  if (t === undefined) return url;
  const u = new URL(url, location.href);
  u.searchParams.set("token", t);
  return u.toString();
}

/** The server's message when it refused to let this token steer (PERMISSION_DENIED), or undefined. */
export function steerRefusal(): string | undefined {
  return read(REFUSAL_KEY);
}

/**
 * Remembers a PERMISSION_DENIED answer to a call that steers a run, and tells the listeners;
 * true when `e` was one. The runs a token sees are its owner's (or, for an admin, every run), so
 * a refusal there means the token may not steer at all (role read), not just this run.
 */
export function noteRefusal(e: unknown): boolean {
  if (!(e instanceof ConnectError) || e.code !== Code.PermissionDenied) return false;
  write(REFUSAL_KEY, e.rawMessage);
  for (const l of refusalListeners) l(e.rawMessage);
  return true;
}

/** Calls `l` with the server's message when steering is refused (at once if it was already). */
export function onSteerRefusal(l: RefusalListener): () => void {
  refusalListeners.add(l);
  const known = steerRefusal();
  if (known !== undefined) l(known);
  return () => refusalListeners.delete(l);
}

// sessionStorage can be unavailable (some privacy settings throw on access): then the token
// lives as long as the page.
const memory = new Map<string, string>();

function read(key: string): string | undefined {
  try {
    return sessionStorage.getItem(key) ?? undefined;
  } catch {
    return memory.get(key);
  }
}

function write(key: string, value: string | undefined): void {
  if (value === undefined) memory.delete(key);
  else memory.set(key, value);
  try {
    if (value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // kept in memory only
  }
}
