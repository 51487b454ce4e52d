/**
 * What a child process costs, read from /proc (Linux): resident memory, and CPU time, so a
 * scenario can bound memory and see that a backing-off process is not spinning.
 */
import { readFileSync } from 'node:fs';

/** Resident set size in bytes (VmRSS), or 0 once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User plus system CPU time in ms since the process started. */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces, so split after its closing paren).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Samples a process's RSS every `everyMs` and keeps the peak, until stopped. */
export function watchRss(pid: number, everyMs = 200) {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, everyMs);
  return {
    get peak() {
      return Math.max(peak, rssBytes(pid));
    },
    stop: () => clearInterval(timer),
  };
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
