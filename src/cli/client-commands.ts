/**
 * The `hookd` commands that talk to a running hookd over its API: listen, trigger, events,
 * endpoints, workspaces, status. Where they point and how they print is target.ts.
 */
import { HookdApiError, type RequestBody } from '@hookd/client';
import type { Command } from 'commander';
import { sampleObject } from '../domain/samples.js';
import { printable, printableJson } from '../domain/terminal-text.js';
import { collect, deliveryBody, deliveryRows, type DeliveryFlags, type DeliveryView } from './delivery-flags.js';
import { localSecret, runListen } from './forwarder.js';
import { renderStatus } from './status-view.js';
import { clientOf, configDir, profileFile, resolveTarget, show, withTarget, type Out, type TargetFlags } from './target.js';

/** The client of the target the flags name. */
const client = (flags: TargetFlags) => clientOf(resolveTarget(flags));

/**
 * A whole number of a flag, sent as typed: the server judges its spelling and names the flag's
 * parameter when it is wrong (docs/api.md, "Whole numbers in a query"), as it did before.
 */
const asTyped = (flag: string) => flag as unknown as number;

const RETRY_SCHEDULE_HELP = 'comma-separated delays before each attempt, e.g. 0,5s,1m (the first before the first attempt); platform: the platform\'s schedule';

const ORDERING_HELP = 'unordered (the default: as many at once as the endpoint keeps up with) or fifo (one at a time, in the order the events were published)';
const RATE_LIMIT_HELP = 'deliveries per second (1–10000) across every worker; none: no limit';
const HEADER_HELP = '\'Name: value\' sent with every delivery (repeatable); the value is a secret: it is shown masked';
const FILTER_HELP = 'a JSON filter over type, data.object and data.previous (docs/delivery.md, "Filters"), or @file.json; none: no filter';
const SIGNING_HELP = 'hmac-sha256 (the default: v1 with the secret) or ed25519 (v1a, verified with the endpoint\'s public key)';

/** The delivery flags both commands take (docs/delivery.md); update adds --remove-header and none. */
function deliveryOptions(cmd: Command, mode: 'create' | 'update'): Command {
  cmd.option('--header <name: value>', HEADER_HELP, collect);
  if (mode === 'update') cmd.option('--remove-header <name>', 'stop sending this custom header (repeatable)', collect);
  return cmd.option('--filter <json>', FILTER_HELP)
    .option('--client-certificate <file>', `PEM file of the client certificate for mutual TLS (with --client-key)${mode === 'update' ? '; none: remove it' : ''}`)
    .option('--client-key <file>', 'PEM file of its private key (sent once, encrypted at rest, never shown)')
    .option('--signing <scheme>', SIGNING_HELP);
}

/** An endpoint as `field  value` lines: whole values (a fingerprint or a filter is longer than a table cell), each printable. */
function vertical(rows: { field: string; value: unknown }[]): string[] {
  const width = Math.max(...rows.map((r) => r.field.length));
  const text = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return rows.map((r) => `${printable(r.field).padEnd(width)}  ${printable(text(r.value))}`);
}

interface EndpointFlags extends DeliveryFlags {
  description?: string;
  format?: string;
  retrySchedule?: string;
  ordering?: string;
  rateLimit?: string;
}

/** The delivery-control fields the flags set (docs/delivery.md): each checked here, so the message names the flag. */
function deliveryControl(opts: EndpointFlags): { ordering?: 'unordered' | 'fifo'; rate_limit?: number | null } {
  const { ordering, rateLimit } = opts;
  if (ordering !== undefined && ordering !== 'unordered' && ordering !== 'fifo') throw new Error(`--ordering must be unordered or fifo, not '${ordering}'`);
  // Digits only: Number() would read 1e3, 0x10 or " 5" as a limit nobody typed. The range is the server's to judge.
  if (rateLimit !== undefined && rateLimit !== 'none' && !/^[0-9]+$/.test(rateLimit)) {
    throw new Error(`--rate-limit must be a whole number of deliveries per second (1–10000), or none, not '${rateLimit}'`);
  }
  return {
    ...(ordering === undefined ? {} : { ordering }),
    ...(rateLimit === undefined ? {} : { rate_limit: rateLimit === 'none' ? null : Number(rateLimit) }),
  };
}

export function registerClientCommands(program: Command, out: Out, fail: (err: unknown) => never): void {
  // Said once for all of them, since each command's own help lists the options but not their order.
  program.addHelpText('after', () => [
    '',
    'listen, trigger, events, endpoints, status and workspaces talk to a running hookd.',
    'Each takes --api-url, --api-key, --workspace and --live, else HOOKD_API_URL and',
    `HOOKD_API_KEY, else "url", "key", "workspace" and "live" in ${profileFile()}.`,
  ].join('\n'));
  const run = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      // The server names the header; a CLI user never typed one, so say which flag sets it.
      if (err instanceof HookdApiError && err.message.includes('X-Workspace-Id')) {
        fail(new Error(`${err.message} With the platform key, pass --workspace wksp_… (or "workspace" in the profile), or use the workspace's own key.`));
      }
      fail(err);
    }
  };

  withTarget(program.command('listen'), null)
    .description('forward this workspace\'s events to a local URL, signed with a local secret')
    .requiredOption('--forward-to <url>', 'local URL to POST each event to, e.g. http://localhost:3000/webhooks')
    .option('--events <types>', 'comma-separated event types or wildcards (default: all)')
    .option('--format <format>', 'basic or cloud_events', 'basic')
    .action(run(async (opts: TargetFlags & { forwardTo: string; events?: string; format: string }) => {
      if (opts.format !== 'basic' && opts.format !== 'cloud_events') throw new Error('--format must be basic or cloud_events');
      const secret = localSecret();
      out(`Your local signing secret is ${secret} (kept in ${configDir()}; verify with it).`);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      await runListen({
        target: resolveTarget(opts), forwardTo: opts.forwardTo, events: opts.events ? opts.events.split(',').map((s) => s.trim()).filter(Boolean) : [],
        format: opts.format, secret, print: out, signal: controller.signal,
      });
    }));

  withTarget(program.command('trigger'))
    .description('publish a sample event of a type (realistic data for its family)')
    .argument('<event-type>', 'an event type of the catalog, e.g. payment.succeeded')
    .option('--data <json>', 'data.object to send instead of the sample')
    .action(run(async (type: string, opts: TargetFlags & { data?: string }) => {
      let object: unknown;
      try {
        object = opts.data ? JSON.parse(opts.data) : sampleObject(type);
      } catch {
        throw new Error('--data must be a JSON object');
      }
      const event = await client(opts).events.publish({ type, data: { object: object as Record<string, unknown> } });
      show(out, opts.json, event, ['id', 'type', 'created', 'live']);
    }));

  const events = program.command('events').description('list, get and re-send events');
  withTarget(events.command('list')).description('list the newest events')
    .option('--type <type>', 'only this type').option('--count <n>', 'how many (1–100)', '10')
    .action(run(async (opts: TargetFlags & { type?: string; count: string }) => {
      const page = await client(opts).events.page({ count: asTyped(opts.count), ...(opts.type ? { type: [opts.type] } : {}) });
      show(out, opts.json, page.data, ['id', 'type', 'created', 'live']);
    }));
  withTarget(events.command('get'), 'print JSON (an event is shown as JSON either way)').description('show one event, as JSON').argument('<id>')
    .action(run(async (id: string, opts: TargetFlags) => {
      const event = await client(opts).events.get(id);
      out(printableJson(event));
    }));
  withTarget(events.command('retry')).description('send the event to one endpoint now and show the attempt').argument('<id>').requiredOption('--webhook-endpoint <we>', 'the endpoint to send it to')
    .action(run(async (id: string, opts: TargetFlags & { webhookEndpoint: string }) => {
      const attempt = await client(opts).events.retry(id, { webhook_endpoint: opts.webhookEndpoint });
      show(out, opts.json, attempt, ['successful', 'code', 'time', 'url', 'error']);
    }));

  const endpoints = program.command('endpoints').description('manage webhook endpoints');
  const commaList = (text: string) => text.split(',').map((s) => s.trim());
  /** `platform` clears the endpoint's own schedule (null); anything else is its entries, checked by the server. */
  const retryScheduleFlag = (text: string): string[] | null => (text.trim() === 'platform' ? null : commaList(text));
  const endpointColumns = ['id', 'status', 'url', 'events', 'format'];
  // The list adds how deliveries are signed: a receiver verifying v1a needs to know which endpoints do.
  const settingColumns = ['retry_schedule', 'ordering', 'rate_limit'];
  withTarget(endpoints.command('list')).description('list the endpoints (the newest 100), secrets masked')
    .action(run(async (opts: TargetFlags) => show(out, opts.json, (await client(opts).endpoints.page({ count: 100 })).data, [...endpointColumns, 'signing'])));
  withTarget(endpoints.command('get')).description('show one endpoint: every field, secrets and header values masked').argument('<id>')
    .action(run(async (id: string, opts: TargetFlags) => {
      const ep = await client(opts).endpoints.get(id);
      if (opts.json) return show(out, true, ep, []);
      const fields = ['id', 'status', 'url', 'events', 'format', 'description', 'secret', 'token', 'metadata', 'retry_schedule', 'ordering', 'rate_limit'] as const;
      for (const line of vertical([...fields.map((f) => ({ field: f, value: ep[f] })), ...deliveryRows(ep, true)])) out(line);
    }));
  /** Below a create's or an update's table: the delivery fields set, since a row of JSON cells would not fit. */
  const showDelivery = (json: boolean | undefined, ep: DeliveryView) => {
    const rows = json ? [] : deliveryRows(ep, false);
    if (rows.length > 0) for (const line of ['', ...vertical(rows)]) out(line);
  };
  deliveryOptions(withTarget(endpoints.command('create')), 'create').description('create an endpoint and show its signing secret whole')
    .requiredOption('--url <url>', 'where hookd sends the deliveries').requiredOption('--events <types>', 'comma-separated types or wildcards')
    .option('--description <text>', 'a note for people').option('--format <format>', 'basic or cloud_events (default basic)')
    .option('--retry-schedule <durations>', RETRY_SCHEDULE_HELP).option('--ordering <ordering>', ORDERING_HELP).option('--rate-limit <n>', RATE_LIMIT_HELP)
    .action(run(async (opts: TargetFlags & EndpointFlags & { url: string; events: string }) => {
      // The format as typed: the server names the field when it is neither basic nor cloud_events.
      const format = opts.format as RequestBody<'POST /v1/webhooks/endpoints'>['format'];
      const body = {
        url: opts.url, events: commaList(opts.events), description: opts.description, format,
        ...(opts.retrySchedule === undefined ? {} : { retry_schedule: retryScheduleFlag(opts.retrySchedule) }),
        ...deliveryControl(opts),
        ...deliveryBody(opts, 'create'),
      };
      const created = await client(opts).endpoints.create(body);
      show(out, opts.json, created, [...endpointColumns, ...settingColumns, 'secret']);
      showDelivery(opts.json, created);
    }));
  deliveryOptions(withTarget(endpoints.command('update')), 'update').description('change an endpoint: only the fields given').argument('<id>')
    .option('--url <url>', 'where hookd sends the deliveries').option('--events <types>', 'comma-separated types or wildcards')
    .option('--description <text>', 'a note for people').option('--format <format>', 'basic or cloud_events')
    .option('--status <status>', 'enabled or disabled').option('--retry-schedule <durations>', RETRY_SCHEDULE_HELP)
    .option('--ordering <ordering>', ORDERING_HELP).option('--rate-limit <n>', RATE_LIMIT_HELP)
    .action(run(async (id: string, opts: TargetFlags & EndpointFlags & { url?: string; events?: string; status?: string }) => {
      // Values as typed: the server names the field and its rule when one is wrong.
      type Patch = RequestBody<'PATCH /v1/webhooks/endpoints/{id}'>;
      const patch: Patch = {
        ...(opts.url === undefined ? {} : { url: opts.url }),
        ...(opts.events === undefined ? {} : { events: commaList(opts.events) }),
        ...(opts.description === undefined ? {} : { description: opts.description }),
        ...(opts.format === undefined ? {} : { format: opts.format as Patch['format'] }),
        ...(opts.status === undefined ? {} : { status: opts.status as Patch['status'] }),
        ...(opts.retrySchedule === undefined ? {} : { retry_schedule: retryScheduleFlag(opts.retrySchedule) }),
        ...deliveryControl(opts),
        ...deliveryBody(opts, 'update'),
      };
      const updated = await client(opts).endpoints.update(id, patch);
      show(out, opts.json, updated, [...endpointColumns, ...settingColumns]);
      showDelivery(opts.json, updated);
    }));
  withTarget(endpoints.command('delete'), 'print JSON instead of a line').description('delete an endpoint').argument('<id>')
    .action(run(async (id: string, opts: TargetFlags) => {
      await client(opts).endpoints.delete(id);
      out(opts.json ? printableJson({ deleted: id }, 0) : `deleted ${printable(id)}`);
    }));
  withTarget(endpoints.command('test')).description('send a webhook_endpoint.test event to the endpoint now and show the attempt').argument('<id>')
    .action(run(async (id: string, opts: TargetFlags) => {
      show(out, opts.json, await client(opts).endpoints.test(id), ['successful', 'code', 'time', 'error']);
    }));
  withTarget(endpoints.command('replay')).description('queue a delivery of every stored event of the window the endpoint missed (docs/delivery.md, "Replay")')
    .argument('<id>').requiredOption('--since <date>', 'ISO 8601 date or date-time: events created at or after it')
    .option('--until <date>', 'ISO 8601: events created before it (default now)').option('--types <types>', 'comma-separated types or wildcards (default: all the endpoint subscribes to)')
    .option('--include-delivered', 'also events the endpoint already got (once per identical replay)')
    .action(run(async (id: string, opts: TargetFlags & { since: string; until?: string; types?: string; includeDelivered?: boolean }) => {
      const body = {
        since: opts.since, until: opts.until, types: opts.types?.split(',').map((s) => s.trim()), include_delivered: opts.includeDelivered,
      };
      // has_more: the same request again queues the next ones (a call queues at most 10,000), so the command repeats it.
      const total = { queued: 0, since: '', until: '' };
      for (;;) {
        const answer = await client(opts).endpoints.replay(id, body);
        Object.assign(total, { queued: total.queued + answer.queued, since: answer.since, until: answer.until });
        if (!answer.has_more) break;
      }
      show(out, opts.json, total, ['queued', 'since', 'until']);
    }));
  withTarget(endpoints.command('roll-secret')).description('give the endpoint a new signing secret and show it whole').argument('<id>')
    .option('--expires-in <seconds>', 'how long the old secret keeps signing (0–604800)', '86400')
    .action(run(async (id: string, opts: TargetFlags & { expiresIn: string }) => {
      const ep = await client(opts).endpoints.rollSecret(id, { expires_in: Number(opts.expiresIn) });
      show(out, opts.json, ep, ['id', 'secret']);
    }));

  withTarget(program.command('status'), 'print the API\'s answer as JSON instead of the view')
    .description('pending deliveries, failing endpoints and recent errors (the platform key alone: every workspace)')
    .option('--limit <n>', 'endpoints and errors listed (1–100)', '10')
    .action(run(async (opts: TargetFlags & { limit: string }) => {
      const status = await client(opts).status.get({ limit: asTyped(opts.limit) });
      if (opts.json) return show(out, true, status, []);
      for (const line of renderStatus(status)) out(line);
    }));

  const workspaces = program.command('workspaces').description('manage workspaces (platform key)');
  withTarget(workspaces.command('create')).description('create a workspace and show its test and live keys whole, this once').argument('<name>')
    .action(run(async (name: string, opts: TargetFlags) => {
      const ws = await client(opts).workspaces.create({ name });
      if (opts.json) return show(out, true, ws, []);
      // One column per key: as one JSON cell the pair is longer than a table cell, and these are shown whole only once.
      show(out, false, { id: ws.id, name: ws.name, 'test key': ws.keys.test, 'live key': ws.keys.live }, ['id', 'name', 'test key', 'live key']);
      out('The keys are shown whole this once; store them now.');
    }));
  withTarget(workspaces.command('list')).description('list the workspaces (the newest 100)')
    .action(run(async (opts: TargetFlags) => show(out, opts.json, (await client(opts).workspaces.page({ count: 100 })).data, ['id', 'name', 'created'])));
}
