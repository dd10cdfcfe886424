// The one client of the page, and names for simulation states.

import { EiscopeClient, SimulationState } from "@eiscope/client";

/** The server serves this page on its gRPC-Web port (in development, Vite proxies to it). */
export const serverUrl = window.location.origin;
export const client = new EiscopeClient(serverUrl);

export function stateName(s: SimulationState): string {
  return (SimulationState[s] ?? "UNSPECIFIED").toLowerCase();
}

/** Makes `el` a small colored label for a state; its class picks the color (see style.css). */
export function setStateBadge(el: HTMLElement, s: SimulationState): void {
  el.className = `badge state-${stateName(s)}`;
  el.textContent = stateName(s);
}
