// Writes the README's API table from the code, so it cannot drift: for every API key of the
// pinned Kafka version, whether a virtual cluster offers it, the versions, how its names and ids
// are handled (the generated entity fields plus the notes next to the allow-list), or why it is
// refused (also next to the allow-list). A unit test fails when README.md's block is stale.
//
//   bun scripts/gen-api-table.ts            rewrites the block in README.md and prints the table
import { readFileSync, writeFileSync } from "node:fs";
import type { EntityKind } from "../src/protocol/entity-field.ts";
import { KAFKA_VERSION } from "../src/protocol/messages/index.ts";
import { API_LIST } from "../src/protocol/registry.ts";
import { HANDLING_NOTES, offeredVersions, REFUSED_BECAUSE } from "../src/vcluster/allowed-apis.ts";
import { API_ACLS } from "../src/vcluster/acl/acl-table.ts";

export const TABLE_START = "<!-- api-table:start -->";
export const TABLE_END = "<!-- api-table:end -->";

const ENTITY_WORDS: Record<EntityKind, string> = {
  topicName: "topic names",
  groupId: "group ids",
  transactionalId: "transactional ids",
  producerId: "producer ids",
  topicId: "topic ids",
  brokerEndpoint: "broker addresses",
};
const ENTITY_ORDER = Object.keys(ENTITY_WORDS) as EntityKind[];

function handling(spec: (typeof API_LIST)[number]): string {
  const kinds = new Set([...spec.request.entities, ...spec.response.entities].map((e) => e.kind));
  const parts: string[] = [];
  if (kinds.size > 0) parts.push(`generated fields: ${ENTITY_ORDER.filter((k) => kinds.has(k)).map((k) => ENTITY_WORDS[k]).join(", ")}`);
  const note = HANDLING_NOTES.get(spec.apiKey);
  if (note) parts.push(note);
  return parts.length > 0 ? parts.join("; ") : "carries no names or ids";
}

/** The table (Markdown), one row per API key of the pinned Kafka version. */
export function apiTable(): string {
  const specs = [...API_LIST].sort((a, b) => a.apiKey - b.apiKey);
  const offeredCount = specs.filter((s) => offeredVersions(s.apiKey) !== null).length;
  const rows = specs.map((spec) => {
    const offered = offeredVersions(spec.apiKey);
    if (offered) {
      const versions = offered.min === offered.max ? `${offered.min}` : `${offered.min}–${offered.max}`;
      return `| ${spec.apiKey} | ${spec.name} | offered | ${versions} | ${handling(spec)} | ${
        API_ACLS.get(spec.apiKey)?.checks ?? "refused (not in the ACL table)"
      } |`;
    }
    return `| ${spec.apiKey} | ${spec.name} | refused | — | ${REFUSED_BECAUSE.get(spec.apiKey) ?? "no reason recorded"} | — |`;
  });
  return [
    `Kafka ${KAFKA_VERSION}: ${specs.length} API keys served by brokers, ${offeredCount} offered inside a virtual cluster.`,
    "Versions are those kgate's codecs know; ApiVersions further clamps them to the backing broker's.",
    "",
    "With `aclEnabled`, the last column says what kgate authorizes (Kafka's ACL rules; super users pass).",
    "",
    "| Key | API | In a vcluster | Versions | Names and ids / why refused | ACLs checked (`aclEnabled`) |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** `readme` with the text between the markers replaced by the current table. */
export function withApiTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} block`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${apiTable()}\n${readme.slice(end)}`;
}

if (import.meta.main) {
  const path = "README.md";
  const before = readFileSync(path, "utf8");
  const after = withApiTable(before);
  if (after !== before) writeFileSync(path, after);
  console.log(apiTable());
  console.log(after === before ? `\n${path}: API table already up to date` : `\n${path}: API table rewritten`);
}
