/**
 * What the generators of types from hookd's OpenAPI document share: the document itself, built
 * from the app in dist/ (run `npm run build` first), the type names of its component schemas,
 * and the body of an answer whatever its content type. scripts/dashboard-types.mjs and
 * scripts/client-types.mjs use it (docs/development.md, "The client library").
 */
import { readFile, writeFile } from 'node:fs/promises';
import { schemaToType } from './json-schema-to-ts.mjs';

/** The OpenAPI document of an app built with the default configuration: its routes' schemas depend on nothing else. */
export async function openApiDocument() {
  // The one place the generators reach into the server.
  const [{ buildApp }, { defaultConfig }] = await Promise.all([import('../dist/server/app.js'), import('../dist/config/config.js')]);
  const app = await buildApp({
    config: defaultConfig(),
    // Registering routes touches neither the store nor the sender; no request is made.
    store: {},
    sender: {},
    clock: { now: () => 0 },
    box: { derive: () => Buffer.alloc(32) },
    platformKeyHash: '',
    dashboardDir: null,
  });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

export const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
export const COMPONENT = '#/components/schemas/';

/** The type name of each component schema: its title (TypeBox's $id), else its key. */
function componentNames(schemas) {
  const names = new Map();
  for (const [key, schema] of Object.entries(schemas)) {
    const name = typeof schema.title === 'string' ? schema.title : key;
    if ([...names.values()].includes(name)) throw new Error(`two component schemas are named ${name}`);
    names.set(key, name);
  }
  return names;
}

/** `ref` for schemaToType: a component's `$ref` to its type name. */
function refNamer(names) {
  return (target) => {
    const name = target.startsWith(COMPONENT) ? names.get(target.slice(COMPONENT.length)) : undefined;
    if (!name) throw new Error(`$ref ${target} names no component schema`);
    return name;
  };
}

/**
 * The schema of a request or answer body, whatever it is declared as: application/json, a
 * problem+json or merge-patch+json, or both (the served document may declare the same body
 * under several types; the first is read). `undefined` when it declares none.
 */
export function bodySchema(content) {
  const declared = Object.entries(content ?? {});
  const json = declared.find(([type]) => type === 'application/json') ?? declared.find(([type]) => /[/+]json\b/.test(type)) ?? declared[0];
  return json?.[1]?.schema;
}

/** The body of an operation's 2xx answers; `{ type: 'null' }` for an answer without one (204); `undefined` when none is 2xx. */
export function successSchema(operation) {
  const answers = Object.entries(operation.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
  if (answers.length === 0) return undefined;
  const bodies = answers.map(([, answer]) => bodySchema(answer.content) ?? { type: 'null' });
  return bodies.length === 1 ? bodies[0] : { anyOf: bodies };
}

const docLine = (text) => (text ? `/** ${text.replace(/\*\//g, '*\\/')} */\n` : '');

/** Every component schema as an exported type declaration, by name, and the `ref` that names them. */
export function componentTypes(document) {
  const schemas = document.components?.schemas ?? {};
  const names = componentNames(schemas);
  const ref = refNamer(names);
  const byName = [...names].sort(([, a], [, b]) => a.localeCompare(b));
  const components = byName.map(([key, name]) => {
    const { description, ...schema } = schemas[key];
    const type = schemaToType(schema, { ref });
    return `${docLine(description)}${type.startsWith('{') ? `export interface ${name} ${type}` : `export type ${name} = ${type};`}\n`;
  });
  return { ref, components };
}

/**
 * A generator's command line: write `text` to `file`, or with --check exit 1, naming `command`,
 * when the committed file differs. `name` is the file as the messages call it.
 */
export async function writeOrCheck(file, name, command, text) {
  if (process.argv.includes('--check')) {
    const actual = await readFile(file, 'utf8').catch(() => '');
    if (actual !== text) {
      console.error(`${name} is out of date: run \`${command}\`.`);
      process.exit(1);
    }
    console.log(`${name} is up to date.`);
  } else {
    await writeFile(file, text);
    console.log(`wrote ${file}`);
  }
}
