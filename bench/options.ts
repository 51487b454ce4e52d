/**
 * Command-line flags and the sizes they select. The full run uses BENCHMARKS.md's figures (20 s
 * windows, 200,000 deliveries of backlog); --quick runs every scenario briefly as a smoke test
 * of the harness, whose figures are not for judging speed.
 */
import { SYSTEM_NAMES, type SystemName } from './systems/types.js';

export const SCENARIO_NAMES = ['throughput', 'latency', 'isolation', 'fanout', 'fanout-filter', 'backlog', 'fifo', 'throttle', 'cost', 'signing'] as const;
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
  /** The fifo scenario: the receiver's latencies (ms), and the window each is measured over. */
  fifoLatencies: number[];
  fifoMs: number;
  /** The throttle scenario: the endpoints' rate limits (per second), and the window. */
  throttleRates: number[];
  throttleMs: number;
  /** hookd-postgres's dispatching processes in the throttle scenario, one run each (hookd-sqlite has one). */
  throttlePgWorkers: number[];
  /** The cost scenario: the commit whose hookd the checkout's is compared with (--base); null: no cost scenario. */
  base: string | null;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only=${SYSTEM_NAMES.join(',')}] [--scenario=${SCENARIO_NAMES.join(',')}] [--base=<commit>]`;

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
  let scenarios: ScenarioName[] | null = null;
  let base: string | null = null;
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--quick' && value === undefined) quick = true;
    else if (flag === '--only' && value !== undefined) systems = pick('--only', value, SYSTEM_NAMES);
    else if (flag === '--scenario' && value !== undefined) scenarios = pick('--scenario', value, SCENARIO_NAMES);
    else if (flag === '--base' && value !== undefined && /^[\w./-]+$/.test(value)) base = value;
    else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  // The cost scenario builds and runs an older hookd: only when asked for, with the commit to compare.
  if (scenarios === null) scenarios = SCENARIO_NAMES.filter((s) => s !== 'cost' || base !== null);
  if (scenarios.includes('cost') && base === null) throw new Error(`--scenario=cost needs --base=<commit>, the hookd to compare with\n${USAGE}`);
  const common = { systems, scenarios, publishers: 32, rate: 500, hangingEndpoints: 50, fanoutSizes: [1, 10, 100, 1000], throttleRates: [10, 500], base };
  return quick
    ? {
      ...common, quick, warmupMs: 1_000, measureMs: 3_000, rateMs: 3_000, settleMs: 3_000, fanoutRepeats: 1, backlogDeliveries: 20_000, backlogQueueMs: 15_000, backlogTimeoutMs: 30_000,
      // A smoke test of the new scenarios within ~40 s: the cheaper latency, the many-process throttle.
      fifoLatencies: [20], fifoMs: 2_000, throttleMs: 5_000, throttlePgWorkers: [3],
    }
    : {
      ...common, quick, warmupMs: 5_000, measureMs: 20_000, rateMs: 20_000, settleMs: 10_000, fanoutRepeats: 3, backlogDeliveries: 200_000, backlogQueueMs: 120_000, backlogTimeoutMs: 300_000,
      fifoLatencies: [1, 20], fifoMs: 20_000, throttleMs: 30_000, throttlePgWorkers: [1, 3],
    };
}
