// Emits the module of a "data" spec: a struct Kafka keeps as bytes inside another message (the
// classic consumer protocol's subscription and assignment), with no API key and no header.
// The struct codec is the one every message gets; added here are the valid versions, which a
// caller needs to read the int16 version that prefixes such bytes.
import { emitMessageModule } from "./emit-codec.ts";
import type { MessageSpec } from "./spec.ts";

export function emitDataModule(msg: MessageSpec, header: string): string {
  if (msg.type !== "data") throw new Error(`${msg.file}: not a data spec`);
  if (msg.flexible !== null && msg.flexible.max >= msg.flexible.min) {
    // Flexible data schemas would also need their tagged fields handled by the caller.
    throw new Error(`${msg.file}: flexible data specs are not supported`);
  }
  const max = msg.valid.max === Infinity ? "Infinity" : String(msg.valid.max);
  return `${emitMessageModule(msg, header)}/** Versions this spec defines; bytes holding it start with the int16 version. */
export const ${msg.name}Versions = { min: ${msg.valid.min}, max: ${max} } as const;
`;
}
