// fast-check arbitraries derived from Kafka's message specs: a value for a message at a version
// holds exactly the fields that exist in that version (tagged ones sometimes), with the right
// nullability, so encode→decode must give the same value back.
import fc from "fast-check";
import { elementType, type FieldSpec, intersect, isEmpty, type MessageSpec, type VersionRange } from "../../scripts/lib/spec.ts";
import { loadSpecs } from "../../scripts/lib/vendored-specs.ts";

export { loadSpecs };

const inRange = (r: VersionRange | null, v: number) => r !== null && !isEmpty(r) && v >= r.min && v <= r.max;

function present(f: FieldSpec, v: number): "regular" | "tagged" | null {
  if (!inRange(f.versions, v)) return null;
  if (f.tagged) return inRange(intersect(f.versions, f.tagged), v) ? "tagged" : null;
  return "regular";
}

const text = fc.string({ unit: "grapheme", maxLength: 12 });
const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""));

function primitive(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case "bool":
      return fc.boolean();
    case "int8":
      return fc.integer({ min: -128, max: 127 });
    case "int16":
      return fc.integer({ min: -32768, max: 32767 });
    case "uint16":
      return fc.integer({ min: 0, max: 65535 });
    case "int32":
      return fc.integer();
    case "uint32":
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case "int64":
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case "float64":
      return fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0));
    case "string":
      return text;
    case "uuid":
      return uuid;
    case "bytes":
    case "records":
      return fc.uint8Array({ maxLength: 24 });
  }
  throw new Error(`not a primitive: ${type}`);
}

export function messageArbitrary(msg: MessageSpec, v: number): fc.Arbitrary<Record<string, unknown>> {
  const flexible = inRange(msg.flexible, v);
  const valueOf = (type: string, nullable: boolean): fc.Arbitrary<unknown> => {
    const el = elementType(type);
    let arb: fc.Arbitrary<unknown>;
    if (el !== null) arb = fc.array(valueOf(el, false), { maxLength: 3 });
    else if (msg.structs.has(type)) arb = structOf(msg.structs.get(type)!.fields);
    else arb = primitive(type);
    return nullable ? fc.option(arb, { nil: null }) : arb;
  };
  const structOf = (fields: FieldSpec[]): fc.Arbitrary<Record<string, unknown>> => {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    const usedTags = new Set<number>();
    for (const f of fields) {
      const where = present(f, v);
      if (where === null) continue;
      const arb = valueOf(f.type, inRange(f.nullable, v));
      if (where === "tagged") {
        usedTags.add(f.tag!);
        shape[f.prop] = fc.option(arb, { nil: undefined });
      } else {
        shape[f.prop] = arb;
      }
    }
    if (flexible) {
      const unknownTag = fc.record({ tag: fc.integer({ min: 0, max: 300 }).filter((t) => !usedTags.has(t)), data: fc.uint8Array({ maxLength: 8 }) });
      shape._unknownTags = fc.option(
        fc.uniqueArray(unknownTag, { maxLength: 2, selector: (u) => u.tag }).map((a) => a.sort((x, y) => x.tag - y.tag)).filter((a) => a.length > 0),
        { nil: undefined },
      );
    }
    return fc.record(shape).map((o) => {
      for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
      return o;
    });
  };
  return structOf(msg.fields);
}

/** Keeps only the fields that exist at version `v` (what an encode→decode round trip preserves). */
export function projectToVersion(msg: MessageSpec, v: number, value: Record<string, unknown>): Record<string, unknown> {
  const project = (fields: FieldSpec[], obj: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (present(f, v) === null || obj[f.prop] === undefined) continue;
      out[f.prop] = projectValue(f.type, obj[f.prop]);
    }
    if (obj._unknownTags) out._unknownTags = obj._unknownTags;
    return out;
  };
  const projectValue = (type: string, value: unknown): unknown => {
    if (value === null) return null;
    const el = elementType(type);
    if (el !== null) return (value as unknown[]).map((e) => projectValue(el, e));
    if (msg.structs.has(type)) return project(msg.structs.get(type)!.fields, value as Record<string, unknown>);
    return value;
  };
  return project(msg.fields, value);
}
