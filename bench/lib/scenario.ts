/** What a scenario gets and what it hands back for printing, the JSON file and the targets. */
import type { Backends } from './backends.js';
import type { CaseResult } from './rounds.js';
import type { Origin } from './origin.js';

export interface Context {
  readonly origin: Origin;
  readonly backends: Backends;
}

/** A single measured figure outside the throughput table (a time, a count, bytes). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  detail?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** Name of the case every `ratio` is relative to, when the scenario has a throughput table. */
  baseline?: string;
  cases: CaseResult[];
  figures: Figure[];
  notes: string[];
  /** Worst event-loop stall during the whole scenario (setup and fills included), ms. */
  stallMs: number;
  seconds: number;
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  run(ctx: Context): Promise<Omit<ScenarioResult, 'id' | 'title' | 'stallMs' | 'seconds'>>;
}

/** A figure by name, for the targets. */
export const figure = (r: ScenarioResult | undefined, name: string): Figure | undefined => r?.figures.find((f) => f.name === name);
