// Kafka message spec model: parses the JSON files of common/message/ into structs and fields
// with version ranges, the input of the code generator.

export interface VersionRange {
  min: number;
  max: number; // Infinity for "N+"
}

export interface FieldSpec {
  name: string; // spec name, e.g. "TopicId"
  prop: string; // TypeScript property, e.g. "topicId"
  type: string; // "int32", "[]string", "[]Foo", "Foo", ...
  versions: VersionRange;
  nullable: VersionRange | null;
  tagged: VersionRange | null;
  tag: number | null;
  flexibleOverride: VersionRange | null; // only the header's ClientId uses "none"
  defaultValue: string | undefined;
  entityType: string | undefined;
  about: string | undefined; // the spec's field documentation
  fields?: FieldSpec[]; // inline struct definition
}

export interface StructSpec {
  name: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  file: string;
  name: string; // e.g. "MetadataRequest"
  apiKey: number;
  type: "request" | "response" | "header" | "data";
  listeners: string[];
  valid: VersionRange;
  flexible: VersionRange | null;
  latestVersionUnstable: boolean;
  fields: FieldSpec[];
  structs: Map<string, StructSpec>; // every struct reachable from the message, by type name
}

export const NONE: VersionRange = { min: 1, max: 0 };

export function parseRange(text: string | undefined): VersionRange {
  if (text === undefined || text === "none") return NONE;
  if (text.endsWith("+")) return { min: Number(text.slice(0, -1)), max: Infinity };
  const dash = text.indexOf("-");
  if (dash > 0) return { min: Number(text.slice(0, dash)), max: Number(text.slice(dash + 1)) };
  return { min: Number(text), max: Number(text) };
}

export function isEmpty(r: VersionRange): boolean {
  return r.max < r.min;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

/** Does `inner` include every version of `outer`? */
export function covers(inner: VersionRange, outer: VersionRange): boolean {
  return isEmpty(outer) || (inner.min <= outer.min && inner.max >= outer.max);
}

function stripComments(text: string): string {
  // Comments in the specs are whole-line or trailing `//`; no string value contains `//`.
  return text.split("\n").map((line) => line.replace(/\/\/.*$/, "")).join("\n");
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// deno-lint-ignore no-explicit-any
function parseField(raw: any): FieldSpec {
  return {
    name: raw.name,
    prop: lowerFirst(raw.name),
    type: raw.type,
    versions: parseRange(raw.versions),
    nullable: raw.nullableVersions ? parseRange(raw.nullableVersions) : null,
    tagged: raw.taggedVersions ? parseRange(raw.taggedVersions) : null,
    tag: typeof raw.tag === "number" ? raw.tag : null,
    flexibleOverride: raw.flexibleVersions ? parseRange(raw.flexibleVersions) : null,
    defaultValue: raw.default === undefined ? undefined : String(raw.default),
    entityType: raw.entityType,
    about: typeof raw.about === "string" ? raw.about : undefined,
    fields: raw.fields ? raw.fields.map(parseField) : undefined,
  };
}

export function elementType(type: string): string | null {
  return type.startsWith("[]") ? type.slice(2) : null;
}

export const PRIMITIVES = new Set([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float64",
  "string",
  "bytes",
  "records",
  "uuid",
]);

export function parseMessage(file: string, text: string): MessageSpec {
  const raw = JSON.parse(stripComments(text));
  const structs = new Map<string, StructSpec>();
  const common = new Map<string, FieldSpec[]>();
  for (const s of raw.commonStructs ?? []) common.set(s.name, s.fields.map(parseField));
  const fields: FieldSpec[] = (raw.fields ?? []).map(parseField);

  const collect = (list: FieldSpec[]) => {
    for (const f of list) {
      const typeName = elementType(f.type) ?? f.type;
      if (PRIMITIVES.has(typeName)) continue;
      if (f.fields) {
        structs.set(typeName, { name: typeName, fields: f.fields });
        collect(f.fields);
      } else if (common.has(typeName)) {
        if (!structs.has(typeName)) {
          structs.set(typeName, { name: typeName, fields: common.get(typeName)! });
          collect(common.get(typeName)!);
        }
      } else if (!structs.has(typeName)) {
        throw new Error(`${file}: unknown type ${f.type} of field ${f.name}`);
      }
    }
  };
  collect(fields);

  return {
    file,
    name: raw.name,
    apiKey: raw.apiKey ?? -1,
    type: raw.type,
    listeners: raw.listeners ?? [],
    valid: parseRange(raw.validVersions),
    flexible: raw.flexibleVersions ? parseRange(raw.flexibleVersions) : null,
    latestVersionUnstable: raw.latestVersionUnstable === true,
    fields,
    structs,
  };
}
