// Visits the values an EntityField path points at, in a decoded message.
import type { EntityField, EntityKind } from "./entity-field.ts";

export type EntityVisitor = (container: Record<string, unknown>, prop: string, parent: Record<string, unknown> | null) => void;

/** Calls `visit` for every field of `kind` present at `version` (array elements one by one). */
export function walkEntities(
  message: unknown,
  fields: readonly EntityField[],
  version: number,
  kind: EntityKind,
  visit: EntityVisitor,
): void {
  for (const f of fields) {
    if (f.kind !== kind || version < f.versions[0] || version > f.versions[1]) continue;
    // Broker endpoints point at a struct; every other kind at a value inside its container.
    walkPath(message as Record<string, unknown>, null, f.path, 0, kind !== "brokerEndpoint", visit);
  }
}

function walkPath(
  obj: Record<string, unknown>,
  parent: Record<string, unknown> | null,
  path: readonly string[],
  i: number,
  leafIsProp: boolean,
  visit: EntityVisitor,
): void {
  if (i === path.length) {
    // A path to a struct (broker endpoints): the struct itself is the container.
    visit(obj, "", parent);
    return;
  }
  const prop = path[i]!;
  if (leafIsProp && i === path.length - 1) {
    visit(obj, prop, parent);
    return;
  }
  const next = obj[prop];
  if (next === null || next === undefined) return;
  if (Array.isArray(next)) {
    for (const el of next) walkPath(el as Record<string, unknown>, obj, path, i + 1, leafIsProp, visit);
  } else {
    walkPath(next as Record<string, unknown>, obj, path, i + 1, leafIsProp, visit);
  }
}

/** Whether a message at `version` has any field of `kind` (decided once per API and version). */
export function hasEntities(fields: readonly EntityField[], version: number, kind: EntityKind): boolean {
  return fields.some((f) => f.kind === kind && version >= f.versions[0] && version <= f.versions[1]);
}
