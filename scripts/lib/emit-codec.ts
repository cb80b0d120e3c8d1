// Emits one TypeScript module per message spec: interfaces, decode, encode, defaults and the
// entity-field metadata. Each struct gets one decoder and one encoder with version checks inline
// (the kmsg style): the generated code is boring, and fast enough to be left alone.
import { covers, elementType, type FieldSpec, intersect, isEmpty, type MessageSpec, PRIMITIVES, type StructSpec, type VersionRange } from "./spec.ts";

export interface EntityField {
  kind: "topicName" | "groupId" | "transactionalId" | "producerId" | "topicId" | "brokerEndpoint";
  path: string[];
  versions: VersionRange;
}

class Emitter {
  private out: string[] = [];
  constructor(private msg: MessageSpec) {}

  line(s = ""): void {
    this.out.push(s);
  }
  text(): string {
    return this.out.join("\n");
  }

  /** A JS condition on `v` for `range`, simplified against the message's valid versions. */
  cond(range: VersionRange | null, within: VersionRange = this.msg.valid): string {
    const ctx = intersect(within, this.msg.valid);
    if (range === null) return "false";
    const r = intersect(range, ctx);
    if (isEmpty(r)) return "false";
    if (covers(r, ctx)) return "true";
    const parts: string[] = [];
    if (r.min > ctx.min) parts.push(r.min === r.max ? `v === ${r.min}` : `v >= ${r.min}`);
    if (r.max < ctx.max && r.min !== r.max) parts.push(`v <= ${r.max}`);
    if (r.min === r.max && r.min === ctx.min) parts.push(`v === ${r.min}`);
    return parts.join(" && ");
  }

  flexCond(f: FieldSpec | null, within?: VersionRange): string {
    if (f?.flexibleOverride) return this.cond(f.flexibleOverride, within);
    return this.cond(this.msg.flexible, within);
  }
}

function pick(c: string, a: string, b: string): string {
  if (c === "true") return a;
  if (c === "false") return b;
  return `(${c} ? ${a} : ${b})`;
}

function pickStmt(c: string, a: string, b: string): string {
  if (c === "true") return a;
  if (c === "false") return b;
  return `if (${c}) { ${a} } else { ${b} }`;
}

function isStructType(t: string): boolean {
  return !PRIMITIVES.has(t);
}

function tsBase(type: string): string {
  const el = elementType(type);
  if (el !== null) return `${tsBase(el)}[]`;
  switch (type) {
    case "bool":
      return "boolean";
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
    case "float64":
      return "number";
    case "int64":
      return "bigint";
    case "string":
    case "uuid":
      return "string";
    case "bytes":
    case "records":
      return "Uint8Array";
    default:
      return type;
  }
}

function rangeText(r: VersionRange): string {
  if (r.max === Infinity) return `${r.min}+`;
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

/** The spec's "about" for a field, and in which versions it exists, is nullable, is tagged. */
function fieldDoc(f: FieldSpec): string {
  const facts = [`v${rangeText(f.versions)}`];
  if (f.nullable && !isEmpty(f.nullable)) facts.push(`nullable v${rangeText(f.nullable)}`);
  if (f.tagged && !isEmpty(f.tagged)) facts.push(`tagged v${rangeText(f.tagged)}`);
  if (f.entityType) facts.push(`entity ${f.entityType}`);
  const about = (f.about ?? "").replace(/\*\//g, "* /").replace(/\s+/g, " ").trim();
  return `${about}${about ? " " : ""}(${facts.join("; ")})`;
}

function tsType(f: FieldSpec): string {
  const base = tsBase(f.type);
  return f.nullable && !isEmpty(f.nullable) ? `${base} | null` : base;
}

const ZERO_UUID = "0".repeat(32);

function defaultExpr(f: FieldSpec): string {
  const d = f.defaultValue;
  const nullable = f.nullable !== null && !isEmpty(f.nullable);
  if (d === "null" && nullable) return "null";
  const el = elementType(f.type);
  if (el !== null) return "[]";
  switch (f.type) {
    case "bool":
      return d === "true" ? "true" : "false";
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
    case "float64":
      return String(d === undefined || d === "" ? 0 : Number(d));
    case "int64":
      return `${d === undefined || d === "" ? 0n : BigInt(d)}n`;
    case "string":
      return JSON.stringify(d ?? "");
    case "uuid":
      return JSON.stringify(ZERO_UUID);
    case "bytes":
    case "records":
      return "wire.EMPTY_BYTES";
    default:
      return nullable ? "null" : `default${f.type}()`;
  }
}

/** Decode expression for a value of `type`; `flex` and `nul` are JS conditions. */
function decodeExpr(type: string, flex: string, nul: string): string {
  const el = elementType(type);
  if (el !== null) {
    const inner = decodeExpr(el, flex, "false");
    return pick(nul, `wire.readNullableArray(r, ${flex}, (r) => ${inner})`, `wire.readArray(r, ${flex}, (r) => ${inner})`);
  }
  switch (type) {
    case "bool":
      return "r.bool()";
    case "int8":
      return "r.int8()";
    case "int16":
      return "r.int16()";
    case "uint16":
      return "r.uint16()";
    case "int32":
      return "r.int32()";
    case "uint32":
      return "r.uint32()";
    case "int64":
      return "r.int64()";
    case "float64":
      return "r.float64()";
    case "uuid":
      return "r.uuid()";
    case "string":
      return pick(flex, pick(nul, "r.compactNullableString()", "r.compactString()"), pick(nul, "r.nullableString()", "r.string()"));
    case "bytes":
    case "records":
      return pick(flex, pick(nul, "r.compactNullableBytes()", "r.compactBytes()"), pick(nul, "r.nullableBytes()", "r.bytes()"));
    default:
      return pick(nul, `(r.int8() < 0 ? null : decode${type}(r, v))`, `decode${type}(r, v)`);
  }
}

/** Encode statement for `value` of `type` into writer `w`. */
function encodeStmt(type: string, value: string, flex: string, nul: string): string {
  const el = elementType(type);
  if (el !== null) {
    const inner = encodeStmt(el, "e", flex, "false");
    return `wire.writeArray(w, ${value}, ${flex}, (w, e) => { ${inner} });`;
  }
  switch (type) {
    case "bool":
      return `w.bool(${value});`;
    case "int8":
      return `w.int8(${value});`;
    case "int16":
      return `w.int16(${value});`;
    case "uint16":
      return `w.uint16(${value});`;
    case "int32":
      return `w.int32(${value});`;
    case "uint32":
      return `w.uint32(${value});`;
    case "int64":
      return `w.int64(${value});`;
    case "float64":
      return `w.float64(${value});`;
    case "uuid":
      return `w.uuid(${value});`;
    case "string":
      return pickStmt(
        flex,
        pickStmt(nul, `w.compactNullableString(${value});`, `w.compactString(${value} as string);`),
        pickStmt(nul, `w.nullableString(${value});`, `w.string(${value} as string);`),
      );
    case "bytes":
    case "records":
      return pickStmt(
        flex,
        pickStmt(nul, `w.compactNullableBytes(${value});`, `w.compactBytes(${value} as Uint8Array);`),
        pickStmt(nul, `w.nullableBytes(${value});`, `w.bytes(${value} as Uint8Array);`),
      );
    default:
      if (nul === "false") return `encode${type}(w, v, ${value} as ${type});`;
      if (nul === "true") return `if (${value} === null) { w.int8(-1); } else { w.int8(1); encode${type}(w, v, ${value}); }`;
      return `if (${value} === null) { if (${nul}) w.int8(-1); else throw new wire.ProtocolError("null struct ${type}"); } else { if (${nul}) w.int8(1); encode${type}(w, v, ${value}); }`;
  }
}

const FIXED_SIZE: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

/** Statement that moves the reader past a value of `type` without building it. */
function skipStmt(type: string, flex: string, nul: string, depth = 0): string {
  const el = elementType(type);
  if (el !== null) {
    const n = `n${depth}`;
    const size = FIXED_SIZE[el];
    if (size !== undefined) return `{ const ${n} = r.arrayLength(${flex}); if (${n} > 0) r.skip(${n} * ${size}); }`;
    const i = `i${depth}`;
    return `{ const ${n} = r.arrayLength(${flex}); for (let ${i} = 0; ${i} < ${n}; ${i}++) { ${skipStmt(el, flex, "false", depth + 1)} } }`;
  }
  const size = FIXED_SIZE[type];
  if (size !== undefined) return `r.skip(${size});`;
  switch (type) {
    case "string":
      return `r.skipString(${flex});`;
    case "bytes":
    case "records":
      return `r.skipBytes(${flex});`;
    default:
      return pickStmt(nul, `if (r.int8() >= 0) skip${type}(r, v);`, `skip${type}(r, v);`);
  }
}

const NAME_ENTITIES = ["topicName", "groupId", "transactionalId"];

/** A regular string field naming a topic, group or transactional id: entries are kept by it. */
function isNameField(f: FieldSpec): boolean {
  return f.tagged === null && f.type === "string" && f.entityType !== undefined && NAME_ENTITIES.includes(f.entityType);
}

/**
 * Response structs whose entries a filtering decoder may drop as soon as their name is read:
 * those with a name field that only ever appear as array elements (a dropped entry must have
 * an array to be left out of).
 */
function droppableStructs(msg: MessageSpec): Set<string> {
  const inArrays = new Set<string>();
  const alone = new Set<string>();
  for (const fields of [msg.fields, ...[...msg.structs.values()].map((s) => s.fields)]) {
    for (const f of fields) {
      const el = elementType(f.type);
      if (el !== null && isStructType(el)) inArrays.add(el);
      else if (el === null && isStructType(f.type)) alone.add(f.type);
    }
  }
  const out = new Set<string>();
  if (msg.type !== "response") return out;
  for (const name of inArrays) {
    if (!alone.has(name) && msg.structs.get(name)!.fields.some(isNameField)) out.add(name);
  }
  return out;
}

/** Skip statements for `fields` (regular ones, in order), then the tag section. */
function skipFields(e: Emitter, fields: FieldSpec[], withTags: boolean): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.tagged !== null) continue;
    const present = e.cond(f.versions);
    if (present === "false") continue;
    const stmt = skipStmt(f.type, e.flexCond(f, f.versions), e.cond(f.nullable, f.versions));
    out.push(present === "true" ? stmt : `if (${present}) { ${stmt} }`);
  }
  if (withTags) {
    const flex = e.flexCond(null);
    if (flex === "true") out.push("r.skipTaggedFields();");
    else if (flex !== "false") out.push(`if (${flex}) r.skipTaggedFields();`);
  }
  return out;
}

function emitSkip(e: Emitter, s: StructSpec): void {
  const body = skipFields(e, s.fields, true).map((l) => `  ${l}`);
  emitFunction(e, (v) => `export function skip${s.name}(r: wire.Reader, ${v}: number): void {`, body);
}

/**
 * Moves the reader past the message's regular fields to its tag section without building
 * anything: e.g. whether a Produce or Fetch response carries broker addresses (NodeEndpoints,
 * a top-level tagged field) is known without decoding its partitions.
 */
function emitSkipToTags(e: Emitter, top: StructSpec): void {
  const body = skipFields(e, top.fields, false).map((l) => `  ${l}`);
  emitFunction(e, (v) => `export function skip${top.name}ToTags(r: wire.Reader, ${v}: number): void {`, body);
  const tagged = top.fields.filter((f) => f.tagged !== null && !isEmpty(intersect(f.versions, f.tagged)));
  e.line(`/** Properties of the top-level tagged fields of ${top.name}. */`);
  e.line(`export const ${top.name}TopLevelTagged: readonly string[] = ${JSON.stringify(tagged.map((f) => f.prop))};`);
  e.line();
}

function emitStruct(e: Emitter, s: StructSpec, droppable: boolean): void {
  const regular = s.fields.filter((f) => f.tagged === null);
  const tagged = s.fields.filter((f) => f.tagged !== null);
  const flex = e.flexCond(null);

  e.line(`export interface ${s.name} {`);
  for (const f of s.fields) {
    e.line(`  /** ${fieldDoc(f)} */`);
    e.line(`  ${f.prop}${f.tagged ? "?" : ""}: ${tsType(f)};`);
  }
  e.line(`  _unknownTags?: wire.UnknownTag[];`);
  e.line(`}`);
  e.line();

  e.line(`export function default${s.name}(): ${s.name} {`);
  e.line(`  return { ${regular.map((f) => `${f.prop}: ${defaultExpr(f)}`).join(", ")} };`);
  e.line(`}`);
  e.line();

  const dec: string[] = [];
  for (const [i, f] of regular.entries()) {
    const present = e.cond(f.versions);
    const expr = decodeExpr(f.type, e.flexCond(f, f.versions), e.cond(f.nullable, f.versions));
    dec.push(`  const ${f.prop} = ${present === "true" ? expr : present === "false" ? defaultExpr(f) : `${present} ? ${expr} : ${defaultExpr(f)}`};`);
    if (droppable && isNameField(f) && present !== "false") {
      // A refused entry: skip the rest of it and let the array leave it out.
      const conds = [present === "true" ? "" : `(${present})`, "r.keep !== undefined"];
      if (e.cond(f.nullable, f.versions) !== "false") conds.push(`${f.prop} !== null`);
      conds.push(`!r.keep("${f.entityType}", ${f.prop})`);
      const skips = skipFields(e, regular.slice(i + 1), true);
      dec.push(`  if (${conds.filter(Boolean).join(" && ")}) { ${[...skips, "r.dropped++;", "return wire.DROPPED as never;"].join(" ")} }`);
    }
  }
  for (const f of tagged) dec.push(`  let ${f.prop}: ${tsType(f)} | undefined;`);
  if (flex === "false") {
    dec.push(`  const _unknownTags: wire.UnknownTag[] | undefined = undefined;`);
  } else {
    const body = tagged.length === 0 ? "() => false" : `(tag, r) => {
    switch (tag) {
${
      tagged.map((f) => {
        const c = e.cond(intersect(f.versions, f.tagged!));
        const read = `${f.prop} = ${decodeExpr(f.type, "true", e.cond(f.nullable))}; return true;`;
        return c === "true" ? `      case ${f.tag}: ${read}` : `      case ${f.tag}: if (${c}) { ${read} } return false;`;
      }).join("\n")
    }
      default: return false;
    }
  }`;
    dec.push(flex === "true" ? `  const _unknownTags = r.taggedFields(${body});` : `  const _unknownTags = ${flex} ? r.taggedFields(${body}) : undefined;`);
  }
  const props = [...regular.map((f) => f.prop), ...tagged.map((f) => f.prop)];
  dec.push(`  const o: ${s.name} = { ${props.join(", ")} };`);
  dec.push(`  if (_unknownTags) o._unknownTags = _unknownTags;`);
  dec.push(`  return o;`);
  emitFunction(e, (v) => `export function decode${s.name}(r: wire.Reader, ${v}: number): ${s.name} {`, dec);

  const enc: string[] = [];
  for (const f of regular) {
    const present = e.cond(f.versions);
    if (present === "false") continue;
    const stmt = encodeStmt(f.type, `o.${f.prop}`, e.flexCond(f, f.versions), e.cond(f.nullable, f.versions));
    enc.push(present === "true" ? `  ${stmt}` : `  if (${present}) { ${stmt} }`);
  }
  if (flex !== "false") {
    enc.push(flex === "true" ? `  {` : `  if (${flex}) {`);
    enc.push(`    const tagged: Array<[number, wire.Writer]> = [];`);
    for (const f of tagged) {
      const c = e.cond(intersect(f.versions, f.tagged!));
      if (c === "false") continue;
      enc.push(
        `    if (${c === "true" ? "" : `${c} && `}o.${f.prop} !== undefined) { const w = new wire.Writer(); ${
          encodeStmt(f.type, `o.${f.prop}`, "true", e.cond(f.nullable))
        } tagged.push([${f.tag}, w]); }`,
      );
    }
    enc.push(`    wire.writeTaggedFields(w, tagged, o._unknownTags);`);
    enc.push(`  }`);
  }
  emitFunction(e, (v) => `export function encode${s.name}(w: wire.Writer, ${v}: number, o: ${s.name}): void {`, enc);
}

/** Names the version parameter `_v` where the body does not read it (lint-clean generated code). */
function emitFunction(e: Emitter, signature: (versionParam: string) => string, body: string[]): void {
  const usesVersion = body.some((l) => /\bv\b/.test(l));
  e.line(signature(usesVersion ? "v" : "_v"));
  for (const l of body) e.line(l);
  e.line(`}`);
  e.line();
}

/**
 * Paths of entity-bearing fields (annotated by entityType, or topic ids / broker endpoints by shape).
 * A Host/Port struct held by a `UserEndpoint` field is a Streams application's own address for
 * interactive queries (KIP-1071), not a broker's: it passes as the application sent it.
 */
export function entityFields(msg: MessageSpec): EntityField[] {
  const out: EntityField[] = [];
  const walk = (fields: FieldSpec[], path: string[], range: VersionRange, holder?: string) => {
    const names = new Set(fields.map((f) => f.name));
    if (names.has("Host") && names.has("Port") && holder !== "UserEndpoint") {
      const host = fields.find((f) => f.name === "Host")!;
      out.push({ kind: "brokerEndpoint", path, versions: intersect(range, host.versions) });
    }
    for (const f of fields) {
      const r = intersect(range, f.versions);
      if (isEmpty(r)) continue;
      const p = [...path, f.prop];
      const t = elementType(f.type) ?? f.type;
      if (f.entityType && ["topicName", "groupId", "transactionalId", "producerId"].includes(f.entityType)) {
        out.push({ kind: f.entityType as EntityField["kind"], path: p, versions: r });
      } else if (t === "uuid" && /TopicId$/.test(f.name)) {
        out.push({ kind: "topicId", path: p, versions: r });
      }
      if (isStructType(t)) walk(msg.structs.get(t)!.fields, p, r, f.name);
    }
  };
  walk(msg.fields, [], msg.valid);
  return out;
}

function rangeLiteral(r: VersionRange): string {
  return `[${r.min}, ${r.max === Infinity ? "Infinity" : r.max}]`;
}

export function emitMessageModule(msg: MessageSpec, header: string): string {
  const e = new Emitter(msg);
  e.line(header);
  e.line(`import * as wire from "../wire.ts";`);
  e.line(`import type { EntityField } from "../entity-field.ts";`);
  e.line();
  const top: StructSpec = { name: msg.name, fields: msg.fields };
  const droppable = droppableStructs(msg);
  for (const s of [top, ...msg.structs.values()]) emitStruct(e, s, droppable.has(s.name));
  // Every struct can be skipped: the filtering decoder skips refused entries, and
  // skip<Message>ToTags walks past a whole message to its top-level tagged fields.
  for (const s of msg.structs.values()) emitSkip(e, s);
  emitSkipToTags(e, top);
  e.line(`export const ${msg.name}Entities: readonly EntityField[] = [`);
  for (const f of entityFields(msg)) {
    e.line(`  { kind: "${f.kind}", path: ${JSON.stringify(f.path)}, versions: ${rangeLiteral(f.versions)} },`);
  }
  e.line(`];`);
  e.line();
  return e.text();
}
