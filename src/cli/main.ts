#!/usr/bin/env node
/**
 * The `hookd` command: here the commands that run on this machine (serve, migrate, keys
 * rotate-encryption, demo), in client-commands.ts those that talk to a running hookd. Each
 * server command loads the one configuration (flags over environment over hookd.config.json),
 * and every command reports a failure as a message, never a stack trace.
 */
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config/config.js';
import { HookdError } from '../domain/errors.js';
import { VERSION } from '../version.js';
import { registerClientCommands } from './client-commands.js';
import { printable } from '../domain/terminal-text.js';

// The server side (Fastify, kysely, drivers) is imported by the commands that need it, so that
// the client commands (listen, trigger…) start in a fraction of the time.
const serverSide = () => import('../server/serve.js');

type Flags = Partial<Record<keyof Config, string>>;

function fail(err: unknown): never {
  // printable: an API problem repeats what was sent (a URL, an event type), typed by a stranger.
  if (err instanceof HookdError) {
    process.stderr.write(`hookd: ${printable(err.message)}\n${err.detail ? err.detail.split('\n').map((l) => `  - ${printable(l)}`).join('\n') + '\n' : ''}`);
  } else {
    // A message, not a stack: the CLI's errors (an API problem, a bad flag) are for people.
    process.stderr.write(`hookd: ${printable(err instanceof Error ? err.message : String(err))}\n`);
  }
  process.exit(1);
}

function port(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port number 0–65535');
  return value;
}

const program = new Command('hookd').version(VERSION).description('Self-hostable webhooks: signed, retried, logged deliveries.');

program.command('serve')
  .description('start hookd: the API and the delivery dispatcher, or one of them (--role)')
  .option('-p, --port <port>', 'port to listen on (HOOKD_PORT)', port)
  .option('--host <host>', 'address to listen on (HOOKD_HOST)')
  .option('--role <role>', 'all (API and dispatcher), api (API only) or worker (dispatcher; its port serves only /health, /ready and /metrics) (HOOKD_ROLE)')
  .option('--data-dir <dir>', 'where the SQLite file and key file live (HOOKD_DATA_DIR)')
  .action(async (opts: { port?: string; host?: string; role?: string; dataDir?: string }) => {
    const flags: Flags = { port: opts.port, host: opts.host, role: opts.role, dataDir: opts.dataDir };
    for (const k of Object.keys(flags) as (keyof Config)[]) if (flags[k] === undefined) delete flags[k];
    try {
      const config = loadConfig({ flags });
      const server = await (await serverSide()).startServer(config);
      server.app.log.info({ url: server.url, store: server.store.dialect, dataDir: resolve(config.dataDir) }, 'hookd is listening');
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(() => process.exit(0), (err: unknown) => fail(err));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    } catch (err) {
      fail(err);
    }
  });

program.command('migrate')
  .description('apply database migrations and exit (for deploy pipelines)')
  .action(async () => {
    try {
      const config = loadConfig();
      const { createSecretBox, loadKeyRing } = await import('../store/secret-box.js');
      const box = createSecretBox(loadKeyRing(config.encryptionKey, config.previousEncryptionKeys, resolve(config.dataDir)).keys);
      const store = await (await serverSide()).openStore(config, box);
      await store.close();
      process.stdout.write('hookd: migrations applied\n');
    } catch (err) {
      fail(err);
    }
  });

program.command('keys')
  .description('manage the key that encrypts stored secrets')
  .command('rotate-encryption')
  .description('re-encrypt every stored secret (endpoint secrets and tokens, kept idempotent answers) with a new key (stop hookd first when it runs on SQLite)')
  .addHelpText('after', [
    '',
    'Without HOOKD_ENCRYPTION_KEY: generates the new key, re-encrypts, then leaves only',
    'the new key in <data dir>/hookd.key. With it: put the new key in HOOKD_ENCRYPTION_KEY',
    'and the old one in HOOKD_PREVIOUS_ENCRYPTION_KEYS on every process, run this once,',
    'then remove HOOKD_PREVIOUS_ENCRYPTION_KEYS.',
  ].join('\n'))
  .action(async () => {
    try {
      const { rotateEncryption } = await import('./keys.js');
      await rotateEncryption(loadConfig(), (l) => process.stdout.write(l + '\n'));
    } catch (err) {
      fail(err);
    }
  });

program.command('demo')
  .description('start a local webhook receiver that answers 200, prints each delivery and, given --secret, checks its signatures')
  .option('-p, --port <port>', 'port to listen on', port, '4000')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--secret <secret>', 'the endpoint\'s signing secret (fwhs_…), to verify both signatures')
  .action(async (opts: { port: string; host: string; secret?: string }) => {
    try {
      const { startDemoReceiver } = await import('./demo.js');
      await startDemoReceiver({ port: Number(opts.port), host: opts.host, secret: opts.secret, print: (l) => process.stdout.write(l + '\n') });
    } catch (err) {
      fail(err);
    }
  });

registerClientCommands(program, (line) => process.stdout.write(line + '\n'), (err) => fail(err));

program.parseAsync(process.argv).catch(fail);
