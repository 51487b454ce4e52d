/**
 * `npm run bench`: starts the receiver, then for every scenario runs every system, each started
 * fresh and stopped after, and prints one table (stdout; progress goes to stderr) and writes
 * bench/results/<date>.json. Everything it starts, it stops, Ctrl-C included. See bench/README.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCleanups } from './lib/cleanup.js';
import { foreignCpu, machine } from './lib/proc.js';
import { ensurePostgres, ensureRedis } from './lib/services.js';
import { parseOptions, type Options } from './options.js';
import { startReceiver } from './receiver-client.js';
import { renderNotes, renderTable } from './report.js';
import { buildBase } from './lib/base-build.js';
import { backlog } from './scenarios/backlog.js';
import { cost } from './scenarios/cost.js';
import { fanout } from './scenarios/fanout.js';
import { fanoutFilter } from './scenarios/fanout-filter.js';
import { fifo } from './scenarios/fifo.js';
import { isolation } from './scenarios/isolation.js';
import { latency } from './scenarios/latency.js';
import { throttle } from './scenarios/throttle.js';
import { signing } from './scenarios/signing.js';
import { throughput } from './scenarios/throughput.js';
import type { Context, Scenario } from './scenarios/types.js';
import { bullmq } from './systems/bullmq.js';
import { ceiling } from './systems/ceiling.js';
import { hookdPostgres, hookdSqlite } from './systems/hookd.js';
import { pgBoss } from './systems/pgboss.js';
import type { System } from './systems/types.js';

const SCENARIOS: Scenario[] = [throughput, latency, isolation, fanout, fanoutFilter, backlog, fifo, throttle, cost, signing];
const SYSTEMS: System[] = [ceiling, bullmq, pgBoss, hookdSqlite, hookdPostgres];
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

async function prepare(options: Options): Promise<void> {
  if (options.systems.includes('bullmq')) await ensureRedis(log);
  if (options.systems.some((s) => s === 'pg-boss' || s === 'hookd-postgres')) await ensurePostgres(log);
  if (options.systems.some((s) => s.startsWith('hookd')) && !existsSync(CLI)) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm run bench does)');
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const scenarios = SCENARIOS.filter((s) => options.scenarios.includes(s.name));
  const systems = SYSTEMS.filter((s) => options.systems.includes(s.name));
  log(`hookd benchmark (${options.quick ? 'quick' : 'full'}): ${scenarios.map((s) => s.name).join(', ')} × ${systems.map((s) => s.name).join(', ')}`);
  await prepare(options);
  const baseCli = options.base && options.scenarios.includes('cost') ? buildBase(options.base, log) : undefined;
  const receiver = await startReceiver();
  const ctx: Context = { options, receiver, log, results: {}, baseCli };
  /** Scenario runs that threw, as "scenario · system". */
  const failed: string[] = [];
  try {
    for (const scenario of scenarios) {
      for (const system of systems) {
        const reason = scenario.skip?.(system.name);
        if (reason) {
          log(`${scenario.name} · ${system.name}: skipped (${reason})`);
          continue;
        }
        const t = Date.now();
        log(`${scenario.name} · ${system.name} …`);
        const byScenario = (ctx.results[scenario.name] ??= {});
        const others = foreignCpu();
        try {
          byScenario[system.name] = await scenario.run(system, ctx);
        } catch (err) {
          // One failure must not cost the rest of the run: record it and go on.
          log(`  failed: ${(err as Error).stack ?? String(err)}`);
          byScenario[system.name] = { figures: {}, notes: [`failed: ${(err as Error).message.split('\n')[0]}`], detail: { error: (err as Error).message } };
          failed.push(`${scenario.name} · ${system.name}`);
        }
        const foreign = others.stop();
        const share = foreign.seconds / (((Date.now() - t) / 1000) * machine().cpus);
        if (share > 0.05) {
          const note = `other processes on the machine used ${Math.round(share * 100)}% of its CPU meanwhile (${foreign.top.join(', ')}): figures disturbed`;
          byScenario[system.name]!.notes.push(note);
          log(`  ${note}`);
        }
        log(`  (${seconds(t)} s)`);
      }
    }
  } finally {
    await receiver.stop();
    await runCleanups();
  }

  const table = renderTable(scenarios, options.systems, ctx.results);
  const notes = renderNotes(scenarios, options.systems, ctx.results);
  const m = machine();
  process.stdout.write(`\n${m.cpus} × ${m.model}, ${m.memoryGB} GB, Node ${m.node}; ${options.quick ? 'quick run (not for judging speed)' : 'full run'}\n\n${table}\n${notes ? `\nnotes:\n${notes}\n` : ''}`);
  const stamp = new Date(started).toISOString().slice(0, 16).replace(':', '');
  // The cost scenario runs only with --base, so a run without it is still a whole one.
  const partial = options.systems.length < SYSTEMS.length || SCENARIOS.some((s) => s.name !== 'cost' && !options.scenarios.includes(s.name));
  const file = `${RESULTS_DIR}${stamp}${options.quick ? '-quick' : ''}${partial ? '-partial' : ''}.json`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({
    started: new Date(started).toISOString(), seconds: seconds(started), machine: m, options,
    metrics: Object.fromEntries(scenarios.map((s) => [s.name, s.metrics])), results: ctx.results, table,
  }, null, 2) + '\n');
  log(`\nwrote ${file} (${seconds(started)} s in all)`);
  // The figures are kept either way; the exit status says whether every run worked, which is
  // all that CI's quick run checks.
  if (failed.length > 0) {
    log(`${failed.length} run(s) failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('\ninterrupted: stopping what the benchmark started …');
  void runCleanups().finally(() => process.exit(130));
});

main().catch(async (err: unknown) => {
  log(`bench: ${(err as Error).message}`);
  await runCleanups();
  process.exit(1);
});
