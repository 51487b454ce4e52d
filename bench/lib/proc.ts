/**
 * CPU and memory of a process, and of the whole machine, from /proc (Linux only, like the
 * machines the benchmark runs on). Read from outside, so a child is measured without its help.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

let clockTicks: number | null = null;
function ticks(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds the process has used so far; null once it has gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks();
  } catch {
    return null;
  }
}

/** Resident set and its high-water mark, in MB. */
export function processMemory(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Busy CPU seconds of all cores together since boot: every process counts, databases included. */
export function machineCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticks();
}

export function machine(): { cpus: number; model: string; memoryGB: number; node: string; platform: string } {
  const list = cpus();
  return {
    cpus: list.length, model: list[0]?.model ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version, platform: `${process.platform} ${process.arch}`,
  };
}

/** Samples a process's RSS every `everyMs` to catch the peak of one phase (VmHWM covers the process's whole life). */
export function rssSampler(pid: number, everyMs = 200): { stop(): number } {
  let peak = processMemory(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    const m = processMemory(pid);
    if (m && m.rss > peak) peak = m.rss;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const m = processMemory(pid);
      return Math.max(peak, m?.rss ?? 0);
    },
  };
}

/** CPU seconds of every process now, by pid, with its parent and name. */
function allProcesses(): Map<number, { ppid: number; name: string; cpu: number }> {
  const out = new Map<number, { ppid: number; name: string; cpu: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(entry), { ppid: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, close), cpu: (Number(fields[11]) + Number(fields[12])) / ticks() });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU used by processes that are not the benchmark's (its own process tree, and the Redis and
 * PostgreSQL servers it drives) between start() and stop(): on a shared machine, the reader
 * should know when something else (a test run, a build) took cores away from a measurement.
 */
export function foreignCpu(): { stop(): { seconds: number; top: string[] } } {
  const ours = (procs: ReturnType<typeof allProcesses>, pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 20; depth++) {
      if (p === process.pid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const before = allProcesses();
  return {
    stop() {
      const after = allProcesses();
      const used: [string, number][] = [];
      for (const [pid, p] of after) {
        if (ours(after, pid) || p.name === 'postgres' || p.name === 'redis-server') continue;
        const delta = p.cpu - (before.get(pid)?.cpu ?? 0);
        if (delta > 0.05) used.push([`${p.name} (${pid})`, delta]);
      }
      used.sort((a, b) => b[1] - a[1]);
      return { seconds: used.reduce((s, [, d]) => s + d, 0), top: used.slice(0, 3).map(([n, d]) => `${n} ${d.toFixed(1)} s`) };
    },
  };
}
