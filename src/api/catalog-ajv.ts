/**
 * The Ajv instance that compiles platform-supplied event-type schemas (hostile input,
 * docs/security.md): patterns run on the linear-time engine, formats are ajv-formats' with every regular
 * expression among them on that engine too, and Ajv's warnings never reach stderr — during a
 * registration they are collected and answered as a 400 (see catalog.ts).
 */
import { Ajv, type Format, type Logger } from 'ajv';
import { fastFormats, type FormatName } from 'ajv-formats/dist/formats.js';
import { compileLinear, linearRegExpEngine } from './schema-regexp.js';

/**
 * `url` is left out: its expression (`\S+(?::\S*)?@…` and lookaheads) RE2 cannot run and
 * JavaScript's runs in quadratic time on long strings; `uri` is JSON Schema's format anyway.
 * `duration` and `hostname` keep JavaScript's engine (RE2 has no lookahead): both are
 * unambiguous, and hostname's lookahead caps what it scans at 253 characters.
 */
const LEFT_OUT: ReadonlySet<string> = new Set<FormatName>(['url']);

/** Each regular expression among the formats swapped for the linear engine's, where RE2 can run it. */
function linearFormat(format: Format): Format {
  const onLinear = (re: RegExp) => {
    try {
      const linear = compileLinear((re.flags.includes('i') ? '(?i)' : '') + re.source);
      return (s: string) => linear.test(s);
    } catch {
      return re;
    }
  };
  if (format instanceof RegExp) return onLinear(format);
  if (typeof format === 'object' && format.validate instanceof RegExp) return { ...format, validate: onLinear(format.validate) } as Format;
  return format;
}

export const CATALOG_FORMATS: Readonly<Record<string, Format>> = Object.fromEntries(
  Object.entries(fastFormats).filter(([name]) => !LEFT_OUT.has(name)).map(([name, format]) => [name, linearFormat(format)]),
);

export interface CatalogAjv {
  ajv: Ajv;
  /** Ajv's warnings since the last call (unknown formats, ignored keywords), then forgets them. */
  takeWarnings(): string[];
}

export function createCatalogAjv(): CatalogAjv {
  let warnings: string[] = [];
  const collect = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  };
  const logger: Logger = { log: () => undefined, warn: collect, error: collect };
  const ajv = new Ajv({
    // Ajv stops at the first error. Collecting them all made errors the amplifier: a 256 KiB
    // event of `{}` items against `items: {required: [20 names]}` gave 1.7 million errors,
    // 255 MB of heap and an 80 MB problem document, 29 s of event loop. It also lets maxItems
    // and maxLength guard what follows them (schema-cost.ts counts on it).
    allErrors: false,
    // Unknown keywords (x-… annotations) are common in schemas written for other tools: let them be.
    strict: false,
    // addUsedSchema: false, or a schema with an `$id` is registered by its first compile and every
    // later one (each publish after a restart or an update) fails with "already exists".
    addUsedSchema: false,
    code: { regExp: linearRegExpEngine },
    logger,
  });
  for (const [name, format] of Object.entries(CATALOG_FORMATS)) ajv.addFormat(name, format);
  return {
    ajv,
    takeWarnings() {
      const taken = warnings;
      warnings = [];
      return taken;
    },
  };
}
