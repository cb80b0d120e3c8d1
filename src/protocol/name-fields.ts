// Pure operations on the name-bearing fields of a decoded message, driven by the generated
// entity metadata: add the tenant prefix (requests), drop foreign entries and strip the prefix
// (responses), and collect or replace topic ids.
import type { EntityField } from "./entity-field.ts";
import { walkEntities } from "./entity-walk.ts";

/** What renaming needs of a tenant (vcluster/tenant.ts's Tenant is one): add and strip its prefix. */
export interface NamePrefixer {
  add(name: string): string;
  /** The name without the prefix; null if it is not the tenant's. */
  strip(name: string): string | null;
}

export const NAME_KINDS = ["topicName", "groupId", "transactionalId"] as const;

type Obj = Record<string, unknown>;

function inVersion(f: EntityField, version: number): boolean {
  return version >= f.versions[0] && version <= f.versions[1];
}

/** Prefixes every topic name, group id and transactional id in a request. */
/** Returns how many values it changed (0: the request's bytes can be forwarded as they are). */
export function prefixNames(body: unknown, fields: readonly EntityField[], version: number, tenant: NamePrefixer): number {
  return mapNames(body, fields, version, (s) => tenant.add(s));
}

function mapNames(body: unknown, fields: readonly EntityField[], version: number, map: (s: string) => string): number {
  let changed = 0;
  for (const kind of NAME_KINDS) {
    walkEntities(body, fields, version, kind, (container, prop) => {
      const v = container[prop];
      if (typeof v === "string") {
        container[prop] = map(v);
        changed++;
      } else if (Array.isArray(v)) {
        container[prop] = v.map((s) => (typeof s === "string" ? map(s) : s));
        changed += v.length;
      }
    });
  }
  return changed;
}

/**
 * Removes array entries whose name (or topic id) the tenant does not own. `keep` decides for one
 * value; null values (e.g. a topic asked for by id) are decided elsewhere and kept here.
 * Returns how many entries it removed.
 */
export function dropForeign(
  body: unknown,
  fields: readonly EntityField[],
  version: number,
  kinds: readonly string[],
  keep: (value: string) => boolean,
): number {
  let removed = 0;
  const counted = (v: string) => {
    const k = keep(v);
    if (!k) removed++;
    return k;
  };
  for (const f of fields) {
    if (!kinds.includes(f.kind) || !inVersion(f, version)) continue;
    // A foreign value outside any array cannot be removed; stripNames turns it into "".
    filterPath(body as Obj, f.path, 0, counted);
  }
  return removed;
}

/** Returns true when `obj` must be dropped by the nearest array holding it. */
function filterPath(obj: Obj, path: readonly string[], i: number, keep: (v: string) => boolean): boolean {
  const prop = path[i]!;
  const value = obj[prop];
  if (i === path.length - 1) {
    if (Array.isArray(value)) {
      obj[prop] = value.filter((s) => typeof s !== "string" || keep(s));
      return false;
    }
    return typeof value === "string" && !keep(value);
  }
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) {
    obj[prop] = value.filter((el) => !filterPath(el as Obj, path, i + 1, keep));
    return false;
  }
  return filterPath(value as Obj, path, i + 1, keep);
}

/** Strips the tenant prefix from every name; a foreign name left over becomes "" (never leaks). */
export function stripNames(body: unknown, fields: readonly EntityField[], version: number, tenant: NamePrefixer): number {
  return mapNames(body, fields, version, (s) => tenant.strip(s) ?? "");
}

/** Visits every topic id in the message; `replace` may return a different id to store. */
export function mapTopicIds(body: unknown, fields: readonly EntityField[], version: number, replace: (id: string) => string): void {
  walkEntities(body, fields, version, "topicId", (container, prop) => {
    const v = container[prop];
    if (typeof v === "string") container[prop] = replace(v);
    else if (Array.isArray(v)) container[prop] = v.map((s) => (typeof s === "string" ? replace(s) : s));
  });
}

/**
 * Pairs of (topic id, topic name) that sit in the same struct — from these kgate learns which
 * topic an id stands for. Returns [idProp, nameProp, pathToStruct] triples.
 */
export function idNamePairs(fields: readonly EntityField[], version: number): Array<{ structPath: string[]; idProp: string; nameProp: string }> {
  const out: Array<{ structPath: string[]; idProp: string; nameProp: string }> = [];
  for (const id of fields) {
    if (id.kind !== "topicId" || !inVersion(id, version)) continue;
    const parent = id.path.slice(0, -1).join("/");
    const name = fields.find((n) => n.kind === "topicName" && inVersion(n, version) && n.path.slice(0, -1).join("/") === parent);
    if (name) out.push({ structPath: id.path.slice(0, -1) as string[], idProp: id.path.at(-1)!, nameProp: name.path.at(-1)! });
  }
  return out;
}

/** Visits each struct at `path` (arrays traversed). */
export function forEachStruct(body: unknown, path: readonly string[], visit: (s: Obj) => void): void {
  const go = (obj: unknown, i: number) => {
    if (obj === null || obj === undefined) return;
    if (Array.isArray(obj)) {
      for (const el of obj) go(el, i);
      return;
    }
    if (i === path.length) {
      visit(obj as Obj);
      return;
    }
    go((obj as Obj)[path[i]!], i + 1);
  };
  go(body, 0);
}
