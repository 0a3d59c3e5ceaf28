import fc from 'fast-check';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Requests generated from /openapi.json alone: for each operation, values for its parameters and body from
 * their schemas (valid ones, and ones broken in one place), and whether the document accepts the result.
 * Nothing here knows the service's routes: it reads whatever the document says.
 */

type Schema = Record<string, any>;
export type Doc = { paths: Record<string, Record<string, any>>; components?: Record<string, any> };
export type Param = { in: 'path' | 'query' | 'header' | 'cookie'; name: string; required?: boolean; schema: Schema };
export type Operation = {
  method: string;
  path: string;
  params: Param[];
  body?: { media: string; schema: Schema; required: boolean };
  /** Rules across the query parameters (x-query-schema), as JSON Schema over the query as an object. */
  queryRules?: Schema;
  responses: Record<string, unknown>;
};

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const today = () => new Date().toISOString().slice(0, 10);
const day = (d: string) => (d === 'today' ? today() : d);
const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** Modulus 11 as the NHS defines it, written here again so the checker does not trust the server's copy. */
export function nhsCheckDigit(nine: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? undefined : check;
}

/** Ajv over the document, with the x- keywords the document uses for rules JSON Schema cannot state. */
export function documentAjv(opts: { coerceTypes?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: opts.coerceTypes ?? false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addKeyword({
    keyword: 'x-check-digit',
    type: 'string',
    validate: (kind: string, v: string) => {
      if (kind !== 'nhs-modulus-11') throw new Error(`unknown x-check-digit ${kind}`);
      const digits = v.replace(/[\s-]/g, '');
      return /^\d{10}$/.test(digits) && nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
    },
  });
  ajv.addKeyword({ keyword: 'x-not-before', type: 'string', validate: (d: string, v: string) => !isDay(v) || v >= day(d) });
  ajv.addKeyword({ keyword: 'x-not-after', type: 'string', validate: (d: string, v: string) => !isDay(v) || v <= day(d) });
  ajv.addKeyword({
    keyword: 'x-date-order',
    type: 'object',
    validate: (keys: string[], o: Record<string, unknown>) => {
      const present = keys.map((k) => o[k]).filter(isDay);
      return present.every((v, i) => i === 0 || present[i - 1]! <= v);
    },
  });
  return ajv;
}

/** Every operation in the document, with its parameters and JSON body, references resolved. */
export function operationsOf(doc: Doc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => deref(doc, p)) as Param[];
      const content = op.requestBody && deref(doc, op.requestBody).content;
      const media = content && Object.keys(content).find((m) => m === 'application/json' || m.endsWith('+json'));
      ops.push({
        method: method.toUpperCase(),
        path,
        params: params.map((p) => ({ ...p, schema: deref(doc, p.schema ?? {}) })),
        ...(media ? { body: { media, schema: deref(doc, content[media].schema ?? {}), required: !!op.requestBody.required } } : {}),
        ...(op['x-query-schema'] ? { queryRules: op['x-query-schema'] } : {}),
        responses: op.responses,
      });
    }
  }
  return ops;
}

/** The schema with every `$ref` into the document replaced by what it points to (request schemas have no cycles). */
function deref(doc: Doc, s: any, depth = 0): any {
  if (depth > 40) throw new Error('schema nested too deep (a cycle?)');
  if (Array.isArray(s)) return s.map((x) => deref(doc, x, depth + 1));
  if (!s || typeof s !== 'object') return s;
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/')) {
    const target = s.$ref
      .slice(2)
      .split('/')
      .reduce((o: any, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    const { $ref: _r, ...rest } = s;
    return deref(doc, { ...target, ...rest }, depth + 1);
  }
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, deref(doc, v, depth + 1)]));
}

/** Two schemas that must both hold, as one (enough for the anyOf branches generation picks). */
function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (a.properties || b.properties) {
    out.properties = { ...a.properties };
    for (const [k, v] of Object.entries(b.properties ?? {}))
      out.properties[k] = out.properties[k] ? merge(out.properties[k], v as Schema) : v;
  }
  return out;
}

/** Values known to exist (ids from earlier answers), by field name: paths get real plans, not only random ids. */
export type Pools = Map<string, unknown[]>;

/** Records every scalar in an answer under its field name, for later requests' parameters. */
export function harvest(pools: Pools, value: unknown, key?: string) {
  if (Array.isArray(value)) for (const v of value) harvest(pools, v, key);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) harvest(pools, v, k);
  else if (key !== undefined && (typeof value === 'string' || typeof value === 'number')) {
    const pool = pools.get(key) ?? [];
    if (!pool.includes(value)) {
      pool.push(value);
      if (pool.length > 40) pool.shift();
    }
    pools.set(key, pool);
  }
}

const alnum = [...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789'];
// Letters beyond ASCII (as people's names have) and a few separators; no spaces at the ends, which servers trim.
const textUnit = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...alnum) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', 'ñ', 'Ł', '-', '.', "'") },
);

export class Generator {
  readonly #ajv = documentAjv();
  readonly #compiled = new Map<string, ValidateFunction>();
  constructor(readonly pools: Pools) {}

  /** Whether a value satisfies a (resolved) schema, x- keywords included. */
  valid(schema: Schema, value: unknown): boolean {
    let v = this.#byObject.get(schema);
    if (!v) {
      const key = JSON.stringify(schema);
      v = this.#compiled.get(key);
      if (!v) this.#compiled.set(key, (v = this.#ajv.compile(schema)));
      this.#byObject.set(schema, v);
    }
    return v(value) as boolean;
  }
  readonly #byObject = new WeakMap<Schema, ValidateFunction>();
  readonly #plainFits = new Map<string, boolean>();

  /** Values the schema accepts (nearly always: the caller checks the whole request with ajv). */
  value(s: Schema, name?: string): fc.Arbitrary<unknown> {
    const own = this.#value(s);
    const pool = name === undefined ? undefined : this.pools.get(name);
    if (!pool) return own;
    // Read at generation time: the pool grows as answers come in, and may hold nothing this schema takes.
    const known = fc.nat().chain((i) => {
      const fits = this.pools.get(name!)!.filter((v) => this.valid(s, v));
      return fits.length ? fc.constant(fits[i % fits.length]) : own;
    });
    return fc.oneof({ weight: 2, arbitrary: known }, { weight: 1, arbitrary: own });
  }

  #value(s: Schema): fc.Arbitrary<unknown> {
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
    const branches = s.anyOf ?? s.oneOf;
    if (branches) {
      const { anyOf: _a, oneOf: _o, ...rest } = s;
      return fc.oneof(...branches.map((b: Schema) => this.#value(merge(rest, b))));
    }
    if (s.allOf) {
      const { allOf, ...rest } = s;
      return this.#value(allOf.reduce(merge, rest));
    }
    const types: string[] = Array.isArray(s.type)
      ? s.type
      : s.type
        ? [s.type]
        : [s.properties ? 'object' : s.items ? 'array' : s.pattern || s.format ? 'string' : 'any'];
    const arbs = types.map((t) => this.#typed(t, s));
    const arb = arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
    // What generation does not construct (if/then, dependentRequired…), it filters for.
    return s.if || s.dependentRequired || s.not ? arb.filter((v) => this.valid(s, v)) : arb;
  }

  #typed(type: string, s: Schema): fc.Arbitrary<unknown> {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer': {
        const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
        const max = Math.min(s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1000), 2 ** 31);
        return fc.oneof(fc.integer({ min, max: Math.min(max, min + 10) }), fc.integer({ min, max }));
      }
      case 'number':
        return fc
          .double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true })
          .map((n) => (Object.is(n, -0) ? 0 : n));
      case 'string':
        return this.#string(s);
      case 'array': {
        const minLength = s.minItems ?? 0;
        const maxLength = Math.min(s.maxItems ?? minLength + 3, minLength + 3);
        const item = this.value(s.items ?? {});
        return s.uniqueItems
          ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
          : fc.array(item, { minLength, maxLength });
      }
      case 'object': {
        const props = Object.fromEntries(Object.entries<Schema>(s.properties ?? {}).map(([k, v]) => [k, this.value(v, k)]));
        const requiredKeys = (s.required ?? []).filter((k: string) => k in props);
        const order: string[] | undefined = s['x-date-order'];
        return fc.record(props, { requiredKeys }).map((o: Record<string, unknown>) => {
          if (!order) return o;
          const present = order.filter((k) => isDay(o[k]));
          const sorted = present.map((k) => o[k] as string).sort();
          return { ...o, ...Object.fromEntries(present.map((k, i) => [k, sorted[i]])) };
        });
      }
      default:
        return fc.constantFrom<unknown>('x', 1, true, null);
    }
  }

  #string(s: Schema): fc.Arbitrary<string> {
    const minLength = s.minLength ?? 0;
    const maxLength = s.maxLength ?? Math.max(minLength, 24);
    if (s['x-check-digit'] === 'nhs-modulus-11') {
      return fc
        .stringMatching(/^[0-9]{9}$/)
        .filter((nine) => nhsCheckDigit(nine) !== undefined)
        .chain((nine) => {
          const digits = nine + String(nhsCheckDigit(nine));
          return fc.constantFrom(digits, `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`);
        });
    }
    if (s.format === 'date') {
      const from = Date.parse(day(s['x-not-before'] ?? '1900-01-01'));
      const to = Date.parse(day(s['x-not-after'] ?? '2100-12-31'));
      return fc
        .integer({ min: 0, max: Math.floor((to - from) / 86_400_000) })
        .map((d) => new Date(from + d * 86_400_000).toISOString().slice(0, 10));
    }
    if (s.format === 'date-time') {
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString());
    }
    if (s.format === 'uri' || s.format === 'url')
      return fc.stringMatching(/^https:\/\/[a-z]{1,12}\.example\.(?:test|org)(?:\/[a-z0-9]{1,8}){0,2}$/);
    const text = fc.string({ unit: textUnit, minLength, maxLength: Math.min(maxLength, minLength + 40) });
    if (s.pattern) {
      const re = new RegExp(s.pattern, 'u');
      // A pattern that plain text mostly meets (one that only keeps out hidden characters) filters plain
      // text; a shape (an id, a date, digits) is generated from the pattern itself.
      const key = `${s.pattern}\u0000${minLength}\u0000${maxLength}`;
      let plainFits = this.#plainFits.get(key);
      if (plainFits === undefined)
        this.#plainFits.set(key, (plainFits = fc.sample(text, { numRuns: 20, seed: 1 }).filter((v) => re.test(v)).length >= 10));
      if (plainFits) return text.filter((v) => re.test(v));
      // The pattern itself bounds the length (a 64-character hash): only the document's own maxLength applies,
      // not the default cap for free text, or the filter would never be met.
      return fc.stringMatching(re).filter((v) => [...v].length >= minLength && [...v].length <= (s.maxLength ?? Infinity));
    }
    return text;
  }

  /** Values a schema refuses, for parameters (as strings): too long, the wrong kind, outside a pattern or enum. */
  invalidParam(s: Schema): fc.Arbitrary<string> | undefined {
    const candidates = [
      'x',
      '-1',
      '0',
      '1.5',
      '99999999999999999999',
      'ab',
      'not-a-valid-value!',
      'a'.repeat((s.maxLength ?? 300) + 1),
      '1999-02-31',
      '2026-13-01',
    ];
    const refused = candidates.filter((c) => !this.validParam(s, c));
    return refused.length ? fc.constantFrom(...refused) : undefined;
  }

  readonly #coercing = documentAjv({ coerceTypes: true });
  readonly #coercingCompiled = new Map<string, ValidateFunction>();
  /** A parameter value is a string on the wire: the document's integer parameters accept "12". */
  validParam(s: Schema, value: string): boolean {
    const key = JSON.stringify(s);
    let v = this.#coercingCompiled.get(key);
    if (!v) this.#coercingCompiled.set(key, (v = this.#coercing.compile({ type: 'object', properties: { v: s } })));
    return v({ v: value }) as boolean;
  }

  /** The query as an object against the operation's cross-parameter rules (types coerced, as on the wire). */
  validQuery(rules: Schema | undefined, query: Record<string, string>): boolean {
    if (!rules) return true;
    const key = JSON.stringify(rules);
    let v = this.#coercingCompiled.get(key);
    if (!v) this.#coercingCompiled.set(key, (v = this.#coercing.compile(rules)));
    return v({ ...query }) as boolean;
  }

  /** One place of a valid body broken: a required member gone, an unknown member, a wrong type, text too long. */
  brokenBody(s: Schema, value: unknown): fc.Arbitrary<unknown> {
    const places: { path: string[]; schema: Schema }[] = [];
    const walk = (sch: Schema, v: unknown, path: string[]) => {
      places.push({ path, schema: sch });
      if (v && typeof v === 'object' && !Array.isArray(v) && sch.properties) {
        for (const [k, child] of Object.entries(v)) if (sch.properties[k]) walk(sch.properties[k], child, [...path, k]);
      } else if (Array.isArray(v) && sch.items && v.length) walk(sch.items, v[0], [...path, '0']);
    };
    walk(s, value, []);
    return fc.tuple(fc.nat(places.length - 1), fc.nat(5)).map(([i, kind]) => {
      const { path, schema } = places[i]!;
      const copy = structuredClone(value) as any;
      const parent = path.slice(0, -1).reduce((o, k) => o[k], copy);
      const key = path[path.length - 1];
      const set = (v: unknown) => (key === undefined ? v : ((parent[key] = v), copy));
      const here = key === undefined ? copy : parent[key];
      switch (kind) {
        case 0: // a required member left out
          if (here && typeof here === 'object' && !Array.isArray(here) && schema.required?.length) {
            delete here[schema.required[0]];
            return copy;
          }
          return set(12345);
        case 1: // a member the schema does not have
          if (here && typeof here === 'object' && !Array.isArray(here)) return set({ ...here, zzUnknownMember: 'x' });
          return set({ zz: 1 });
        case 2: // the wrong type
          return set(typeof here === 'string' ? 12345 : 'a string');
        case 3: // too long
          return set(typeof here === 'string' ? 'a'.repeat((schema.maxLength ?? 5000) + 1) : [here]);
        case 4:
          return set(null);
        default:
          return set([]);
      }
    });
  }
}

/** A request as sent, and what the document says about it. */
export type GeneratedRequest = {
  role: string;
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  /** Whether the document accepts this request (every parameter, the body and the cross-parameter rules). */
  validByDoc: boolean;
  /** For the report: what was broken on purpose, if anything. */
  broken?: string;
};

/** Header values travel as bytes: UTF-8 text goes in as one latin1 character per byte, as a client sends it. */
const headerBytes = (v: string) => Buffer.from(v, 'utf8').toString('latin1');

/** Requests for one operation: a role, valid values, and now and then one part broken. */
export function requestsFor(
  gen: Generator,
  op: Operation,
  roles: readonly string[],
  opts: { plain?: boolean } = {},
): fc.Arbitrary<GeneratedRequest> {
  const values = (where: Param['in']) => {
    // Plain: the required parameters only (optional ones narrow an answer, often to nothing), nothing broken.
    const ps = op.params.filter((p) => p.in === where && (!opts.plain || p.required || p.in === 'path'));
    return fc.record(Object.fromEntries(ps.map((p) => [p.name, gen.value(p.schema, p.name).map(String)])), {
      requiredKeys: ps.filter((p) => p.required || p.in === 'path').map((p) => p.name),
    }) as fc.Arbitrary<Record<string, string>>;
  };
  const breakable = op.params.filter((p) => p.in !== 'cookie' && gen.invalidParam(p.schema));
  const breakOne = fc.oneof(
    fc.constant<{ kind: 'none' }>({ kind: 'none' }),
    ...(breakable.length ? [fc.record({ kind: fc.constant('param' as const), i: fc.nat(breakable.length - 1), seed: fc.nat() })] : []),
    ...(op.params.some((p) => p.required && p.in !== 'path') ? [fc.constant({ kind: 'missing' as const })] : []),
    ...(op.body ? [fc.constant({ kind: 'body' as const }), fc.constant({ kind: 'notJson' as const })] : []),
  );
  return fc
    .record({
      role: fc.constantFrom(...roles),
      path: values('path'),
      query: values('query'),
      headers: values('header'),
      body: op.body ? fc.option(gen.value(op.body.schema), { freq: 8, nil: undefined }) : fc.constant(undefined),
      broken: opts.plain
        ? fc.constant({ kind: 'none' as const })
        : fc.oneof({ weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) }, { weight: 1, arbitrary: breakOne }),
    })
    .chain(({ role, path, query, headers, body, broken }) => {
      const parts = { path: { ...path }, query: { ...query }, header: { ...headers } } as Record<
        'path' | 'query' | 'header',
        Record<string, string>
      >;
      let bodyValue: unknown = body;
      let bodyText: string | undefined;
      let label: string | undefined;
      const finish = (): GeneratedRequest => {
        if (bodyText === undefined && bodyValue !== undefined) bodyText = JSON.stringify(bodyValue);
        let url = op.path.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(parts.path[n] ?? ''));
        const qs = new URLSearchParams(parts.query).toString();
        if (qs) url += `?${qs}`;
        const bodyOk =
          bodyText === undefined
            ? !op.body?.required
            : (() => {
                try {
                  return gen.valid(op.body!.schema, JSON.parse(bodyText));
                } catch {
                  return false;
                }
              })();
        const paramsOk = op.params.every((p) => {
          if (p.in === 'cookie') return true;
          const v = parts[p.in][p.name];
          return v === undefined ? !(p.required || p.in === 'path') : gen.validParam(p.schema, v);
        });
        return {
          role,
          url,
          query: parts.query,
          headers: Object.fromEntries(Object.entries(parts.header).map(([k, v]) => [k, headerBytes(v)])),
          ...(bodyText === undefined ? {} : { body: bodyText }),
          validByDoc: bodyOk && paramsOk && gen.validQuery(op.queryRules, parts.query),
          ...(label ? { broken: label } : {}),
        };
      };
      if (broken.kind === 'param') {
        const p = breakable[broken.i]!;
        return gen.invalidParam(p.schema)!.map((bad) => {
          parts[p.in as 'path' | 'query' | 'header'][p.name] = bad;
          label = `${p.in} ${p.name}`;
          return finish();
        });
      }
      if (broken.kind === 'missing') {
        const p = op.params.find((q) => q.required && q.in !== 'path')!;
        delete parts[p.in as 'query' | 'header'][p.name];
        label = `no ${p.in} ${p.name}`;
      }
      if (broken.kind === 'notJson') {
        bodyText = '{"unfinished": ';
        label = 'body not JSON';
      }
      if (broken.kind === 'body' && op.body) {
        return gen.brokenBody(op.body.schema, bodyValue ?? {}).map((b) => {
          bodyValue = b;
          label = 'body';
          return finish();
        });
      }
      return fc.constant(null).map(() => finish());
    });
}
