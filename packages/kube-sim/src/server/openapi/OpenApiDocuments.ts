import { createHash, randomBytes } from 'node:crypto';
import type { ResourceRegistry } from '../ResourceRegistry';
import { ServedKind, buildDocument } from './buildDocument';
import { groupVersionPath } from './definitionName';

function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** A serialised document and the hash that addresses it. */
export interface OpenApiDocument {
  hash: string;
  text: string;
}

interface Entry {
  fingerprint: string;
  hash: string;
  kinds: ServedKind[];
  text?: string;
}

// Schemas are identified by object identity: CRD objects read from files are shared between the
// clusters of a process, so a fingerprint never needs to read (let alone hash) a megabyte schema.
const schemaIds = new WeakMap<object, number>();
let nextSchemaId = 1;
// Identities restart with the process; the salt keeps a kubectl disk cache from mixing processes up.
const SALT = randomBytes(8).toString('hex');

function schemaId(schema: object | undefined): number {
  if (!schema) return 0;
  let id = schemaIds.get(schema);
  if (id === undefined) {
    id = nextSchemaId++;
    schemaIds.set(schema, id);
  }
  return id;
}

function fingerprintOf(kinds: ServedKind[]): string {
  return kinds
    .map(({ type, version }) =>
      [type.group, version.name, type.plural, type.kind, type.namespaced, type.builtin, version.status, !!version.scale, schemaId(version.schema)].join('|'))
    .join(';');
}

// Clusters serving the same kinds (a fleet) share one copy of each serialised document.
const sharedTexts = new Map<string, string>();
const SHARED_TEXTS_MAX = 64;

function sharedText(key: string, build: () => string): string {
  let text = sharedTexts.get(key);
  if (text === undefined) {
    text = build();
    if (sharedTexts.size >= SHARED_TEXTS_MAX) sharedTexts.delete(sharedTexts.keys().next().value!);
    sharedTexts.set(key, text);
  }
  return text;
}

function hashOf(fingerprint: string): string {
  return createHash('sha512').update(SALT).update(fingerprint).digest('hex').toUpperCase();
}

/**
 * The `/openapi/v2` and `/openapi/v3` documents of one cluster, following its CRDs. Documents are
 * built on first request and kept until the kinds of their group-version change; the v3 index
 * needs only hashes, which come from the kinds' identities, not from building documents.
 */
export class OpenApiDocuments {
  private readonly v3 = new Map<string, Entry>();
  private v2?: Entry;

  constructor(private readonly registry: ResourceRegistry) {}

  private groupVersions(): Map<string, ServedKind[]> {
    const out = new Map<string, ServedKind[]>();
    for (const type of this.registry.all()) {
      for (const version of type.versions) {
        const key = groupVersionPath(type.group, version.name);
        const kinds = out.get(key) ?? [];
        kinds.push({ type, version });
        out.set(key, kinds);
      }
    }
    for (const kinds of out.values()) kinds.sort((a, b) => compareStrings(a.type.kind, b.type.kind));
    return out;
  }

  private entry(cached: Entry | undefined, kinds: ServedKind[]): Entry {
    const fingerprint = fingerprintOf(kinds);
    if (cached && cached.fingerprint === fingerprint) {
      // The registry hands out new ResourceType objects when a CRD is rewritten; same shape, same document.
      cached.kinds = kinds;
      return cached;
    }
    return { fingerprint, hash: hashOf(fingerprint), kinds };
  }

  /** `{paths: {"apis/g/v": {serverRelativeURL}}}`, what clients read to find (and cache) documents. */
  index(): object {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    const current = this.groupVersions();
    for (const key of [...this.v3.keys()]) if (!current.has(key)) this.v3.delete(key);
    for (const [key, kinds] of [...current.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const entry = this.entry(this.v3.get(key), kinds);
      this.v3.set(key, entry);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${entry.hash}` };
    }
    return { paths };
  }

  /** The OpenAPI 3.0 document of `api/v1` or `apis/<group>/<version>`; undefined when not served. */
  groupVersion(key: string): OpenApiDocument | undefined {
    const kinds = this.groupVersions().get(key);
    if (!kinds) {
      this.v3.delete(key);
      return undefined;
    }
    const entry = this.entry(this.v3.get(key), kinds);
    this.v3.set(key, entry);
    entry.text ??= sharedText(`v3:${entry.hash}`, () => JSON.stringify(buildDocument(entry.kinds, 'v3')));
    return { hash: entry.hash, text: entry.text };
  }

  /** The Swagger 2.0 document of every kind served. */
  swagger(): OpenApiDocument {
    const kinds = [...this.groupVersions().values()].flat();
    const entry = this.entry(this.v2, kinds);
    this.v2 = entry;
    entry.text ??= sharedText(`v2:${entry.hash}`, () => JSON.stringify(buildDocument(entry.kinds, 'v2')));
    return { hash: entry.hash, text: entry.text };
  }
}
