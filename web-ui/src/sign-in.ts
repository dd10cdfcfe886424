// Signing in to a server started with --auth token: when it answers UNAUTHENTICATED (no token,
// or one it does not know), a small form over the page asks for the token and the call is tried
// again with it; and, in the top bar, who the page is signed in as, with "sign out".

import { Code, ConnectError, type Simulation } from "@eiscope/client";
import { h } from "./dom";
import { setToken, signOut, steerRefusal, token } from "./session";

export function isUnauthenticated(e: unknown): boolean {
  return e instanceof ConnectError && e.code === Code.Unauthenticated;
}

/** The form, while it is open: every caller that needs a token waits for the same one. */
let asking: Promise<void> | undefined;

/**
 * Runs `call`; while it rejects with UNAUTHENTICATED, shows the sign-in form (with the server's
 * message when a token was sent) and runs it again with the token typed. Other failures reject.
 */
export async function signedIn<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!isUnauthenticated(e)) throw e;
      // Without a token there is nothing to explain; with one (typed, from the address bar or
      // the session), the server's message says what was wrong with it.
      const refused = token() === undefined ? undefined : (e as ConnectError).rawMessage;
      asking ??= askForToken(refused).finally(() => (asking = undefined));
      await asking;
    }
  }
}

function askForToken(refused: string | undefined): Promise<void> {
  const input = h("input", {
    type: "password",
    className: "signin-input",
    testid: "signin-token",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "token",
    "aria-label": "token",
  });
  const error = h("p", { className: "field-error", testid: "signin-error", role: "alert" }, refused ?? "");
  error.hidden = refused === undefined;
  const form = h(
    "form",
    { className: "signin-card", testid: "signin-form" },
    h("h2", {}, "Sign in"),
    h(
      "p",
      {},
      "This server needs a token: paste it here, or open the URL the server printed when it started ",
      h("span", { className: "mono" }, `${location.origin}/?token=…`),
      ".",
    ),
    h(
      "div",
      { className: "signin-row" },
      input,
      h("button", { className: "primary", type: "submit", testid: "signin-button" }, "Sign in"),
    ),
    error,
    h("p", { className: "muted small" }, "The token is kept for this tab only (until it is closed)."),
  );
  const backdrop = h("div", { className: "signin-backdrop" }, form);
  document.body.append(backdrop);
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const t = input.value.trim();
      if (t === "") return;
      setToken(t);
      backdrop.remove();
      resolve();
    });
  });
}

/**
 * Who the page is signed in as, shown in the top bar while a token is held: the owner of the
 * runs it sees (a read or steer token sees its owner's runs only), "admin" when they belong to
 * several owners, and "read-only" once the server refused to let it steer.
 */
export class Identity {
  readonly el = h("span", { className: "identity", testid: "identity" });
  private readonly who = h("span", { testid: "identity-owner" });
  private readonly role = h("span", { className: "identity-role", testid: "identity-role" });

  constructor() {
    const out = h(
      "button",
      { type: "button", className: "link-button", testid: "sign-out", title: "Forget the token in this tab" },
      "sign out",
    );
    out.addEventListener("click", () => {
      signOut();
      location.reload();
    });
    this.el.append(this.who, this.role, out);
    this.update([]);
  }

  update(sims: Simulation[]): void {
    this.el.hidden = token() === undefined;
    const owners = [...new Set(sims.map((s) => s.owner))];
    const name = owners.length > 1 ? "admin" : owners[0];
    this.who.textContent = name ? `signed in as ${name}` : "signed in";
    this.who.title =
      owners.length > 1
        ? `This token sees the runs of ${owners.length} owners (${owners.join(", ")}): an admin token`
        : "The owner of the runs this token sees";
    const refusal = steerRefusal();
    this.role.textContent = refusal === undefined ? "" : " · read-only";
    this.role.title = refusal ?? "";
  }
}
