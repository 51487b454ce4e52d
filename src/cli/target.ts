/**
 * What the client commands (listen, trigger, events, endpoints, workspaces, status) share:
 * where they point and how they print. Where they point: flags (--api-url, --api-key,
 * --workspace, --live), then HOOKD_API_URL / HOOKD_API_KEY, then the profile file
 * `profile.json` in the CLI's config directory ({"url", "key", "workspace", "live"}). Output is
 * a table for people, or --json for scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createClient, type HookdClient } from '@hookd/client';
import type { Command } from 'commander';
import { printableJson, table } from '../domain/terminal-text.js';

export interface ApiTarget {
  url: string;
  key: string;
  /** With the platform key: the workspace to act for, and the mode. */
  workspace?: string | undefined;
  live?: boolean | undefined;
}

export interface TargetFlags { apiUrl?: string; apiKey?: string; workspace?: string; live?: boolean; json?: boolean }

export type Out = (line: string) => void;

/** The CLI's own files (the profile, listen's local secret): `$XDG_CONFIG_HOME/hookd`, else `~/.config/hookd`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hookd');
}

export function profileFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'profile.json');
}

export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const file = profileFile(env);
  const profile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<ApiTarget>) : {};
  // An empty variable counts as unset, as for the server's settings (`HOOKD_API_KEY= hookd …` falls back to the profile).
  const key = flags.apiKey ?? (env.HOOKD_API_KEY || profile.key);
  if (!key) throw new Error(`no API key: pass --api-key, set HOOKD_API_KEY, or put "key" in ${file}`);
  return {
    url: flags.apiUrl ?? (env.HOOKD_API_URL || profile.url || 'http://localhost:8080'),
    key,
    workspace: flags.workspace ?? profile.workspace,
    live: flags.live ?? profile.live,
  };
}

/**
 * The @hookd/client of a target. A command is one try: a person at the terminal sees a failure
 * at once and runs the command again, and `hookd listen` has its own reconnect backoff. A try
 * may take 5 min, as undici's request did before: `endpoints test` waits for the customer's
 * endpoint, as long as the server's HOOKD_REQUEST_TIMEOUT allows.
 */
export function clientOf(target: ApiTarget): HookdClient {
  return createClient({ url: target.url, key: target.key, workspace: target.workspace, live: target.live, maxRetryTime: 0, timeout: 300_000 });
}

/**
 * The target options, and --json described as what it does for this command (`json`), or not
 * offered where the command has no JSON to print (`null`).
 */
export function withTarget(cmd: Command, json: string | null = 'print JSON instead of a table'): Command {
  cmd
    .option('--api-url <url>', 'hookd API URL (HOOKD_API_URL, or "url" in the profile; default http://localhost:8080)')
    .option('--api-key <key>', 'workspace key or platform key (HOOKD_API_KEY, or "key" in the profile)')
    .option('--workspace <id>', 'with the platform key: the workspace to act for ("workspace" in the profile)')
    .option('--live', 'with the platform key: live mode ("live" in the profile; default test)');
  return json === null ? cmd : cmd.option('--json', json);
}

/** The value as JSON (`json`), or as a table of `columns` (one row for an object). */
export function show(out: Out, json: boolean | undefined, value: unknown, columns: string[]): void {
  if (json) return out(printableJson(value));
  const rows = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
  out(rows.length === 0 ? '(none)' : table(rows, columns));
}
