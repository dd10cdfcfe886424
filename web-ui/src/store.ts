// The list of simulations, polled once a second and shared by the sidebar and the open view.

import type { Simulation } from "@eiscope/client";
import { client } from "./api";

const POLL_MS = 1000;

/** `error`: why the last poll failed (a ConnectError, e.g. UNAUTHENTICATED), undefined when it did not. */
type Listener = (sims: Simulation[], error?: unknown) => void;

export class SimulationStore {
  sims: Simulation[] = [];
  private readonly listeners = new Set<Listener>();
  private timer?: number;
  private inFlight = false;

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    void this.refresh();
  }

  find(id: string): Simulation | undefined {
    return this.sims.find((s) => s.id === id);
  }

  /** Polls now (after a create, a delete or a control) instead of waiting for the next tick. */
  async refresh(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    window.clearTimeout(this.timer);
    try {
      const sims = await client.list();
      // Newest first: the one just created is at the top, where the eye is.
      this.sims = sims.sort((a, b) => Number(b.createdUnixMillis - a.createdUnixMillis));
      this.emit();
    } catch (e) {
      this.emit(e ?? new Error("the list of simulations could not be read"));
    } finally {
      this.inFlight = false;
      this.timer = window.setTimeout(() => void this.refresh(), POLL_MS);
    }
  }

  /** Puts a fresher copy (e.g. from a control response) in place without waiting for a poll. */
  upsert(sim: Simulation): void {
    const i = this.sims.findIndex((s) => s.id === sim.id);
    if (i >= 0) this.sims[i] = sim;
    else this.sims.unshift(sim);
    this.emit();
  }

  /** Forgets a simulation deleted from this page, before the next poll confirms it. */
  remove(id: string): void {
    const i = this.sims.findIndex((s) => s.id === id);
    if (i < 0) return;
    this.sims.splice(i, 1);
    this.emit();
  }

  private emit(error?: unknown): void {
    for (const l of this.listeners) l(this.sims, error);
  }
}

export const store = new SimulationStore();
