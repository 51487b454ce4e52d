/** The shape every scenario shares: the figures it reports, and how it runs one system. */
import type { Options, ScenarioName } from '../options.js';
import type { Receiver } from '../receiver-client.js';
import type { RunningSystem, System, SystemName, SystemSetup } from '../systems/types.js';

export interface MetricDef {
  key: string;
  label: string;
  unit: 'per_s' | 'ms' | 'us' | 'cpu' | 'mb' | 'ratio' | 'pct';
  better: 'higher' | 'lower';
  /** Shown with its ratio to the ceiling and, in the ratio rows, to each baseline. */
  headline?: boolean;
}

export type Figures = Record<string, number | null>;

export interface ScenarioResult {
  figures: Figures;
  /** Anything a reader of the table should know: errors, incomplete drains, what a system logged. */
  notes: string[];
  /** Raw numbers behind the figures, kept in the JSON file. */
  detail: Record<string, unknown>;
}

export interface Context {
  options: Options;
  receiver: Receiver;
  log(line: string): void;
  /** The CLI of the --base build (lib/base-build.ts), when the cost scenario runs. */
  baseCli?: string;
  /** Results so far, by scenario and system (isolation compares itself with latency). */
  results: Partial<Record<ScenarioName, Partial<Record<SystemName, ScenarioResult>>>>;
}

export interface Scenario {
  name: ScenarioName;
  metrics: MetricDef[];
  /** A reason when the scenario means nothing for this system. */
  skip?(system: SystemName): string | null;
  run(system: System, ctx: Context): Promise<ScenarioResult>;
}

/** Starts `system`, runs `fn`, and always stops it; its logged notes are added to `notes`. */
export async function withSystem<T>(system: System, setup: SystemSetup, notes: string[], fn: (running: RunningSystem) => Promise<T>): Promise<T> {
  const running = await system.start(setup);
  try {
    return await fn(running);
  } finally {
    notes.push(...running.notes());
    await running.stop();
  }
}
