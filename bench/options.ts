/**
 * Command-line flags and the sizes they select. The full run uses BENCHMARKS.md's figures (20 s
 * windows, 200,000 deliveries of backlog); --quick runs every scenario briefly as a smoke test
 * of the harness, whose figures are not for judging speed.
 */
import { SYSTEM_NAMES, type SystemName } from './systems/types.js';

export const SCENARIO_NAMES = ['throughput', 'latency', 'isolation', 'fanout', 'backlog'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Options {
  quick: boolean;
  systems: SystemName[];
  scenarios: ScenarioName[];
  /** Concurrent publishers in the throughput and backlog scenarios. */
  publishers: number;
  warmupMs: number;
  measureMs: number;
  /** Events per second and duration of the latency and isolation scenarios. */
  rate: number;
  rateMs: number;
  /** How long to wait after the last publish for deliveries still on their way. */
  settleMs: number;
  hangingEndpoints: number;
  fanoutSizes: number[];
  fanoutRepeats: number;
  backlogDeliveries: number;
  /** Queueing stops after this even if the backlog is not full (a slow system would take hours); the drain is measured on what was queued. */
  backlogQueueMs: number;
  /** The drain is cut off after this, and reported as incomplete. */
  backlogTimeoutMs: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only=${SYSTEM_NAMES.join(',')}] [--scenario=${SCENARIO_NAMES.join(',')}]`;

function pick<T extends string>(flag: string, raw: string, known: readonly T[]): T[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n as T));
  if (unknown.length > 0 || names.length === 0) throw new Error(`${flag}: unknown ${unknown.join(', ') || '(empty)'}; choose from ${known.join(', ')}`);
  // Keep the canonical order so that tables from different runs line up.
  return known.filter((k) => names.includes(k));
}

export function parseOptions(argv: string[]): Options {
  let quick = false;
  let systems: SystemName[] = [...SYSTEM_NAMES];
  let scenarios: ScenarioName[] = [...SCENARIO_NAMES];
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--quick' && value === undefined) quick = true;
    else if (flag === '--only' && value !== undefined) systems = pick('--only', value, SYSTEM_NAMES);
    else if (flag === '--scenario' && value !== undefined) scenarios = pick('--scenario', value, SCENARIO_NAMES);
    else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const common = { systems, scenarios, publishers: 32, rate: 500, hangingEndpoints: 50, fanoutSizes: [1, 10, 100, 1000] };
  return quick
    ? { ...common, quick, warmupMs: 1_000, measureMs: 3_000, rateMs: 3_000, settleMs: 3_000, fanoutRepeats: 1, backlogDeliveries: 20_000, backlogQueueMs: 15_000, backlogTimeoutMs: 30_000 }
    : { ...common, quick, warmupMs: 5_000, measureMs: 20_000, rateMs: 20_000, settleMs: 10_000, fanoutRepeats: 3, backlogDeliveries: 200_000, backlogQueueMs: 120_000, backlogTimeoutMs: 300_000 };
}
