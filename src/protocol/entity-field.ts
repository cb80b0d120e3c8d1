// Metadata the generator emits for each message: where entity-bearing values live.
// `path` walks object properties; arrays on the way are traversed element by element.

export type EntityKind = "topicName" | "groupId" | "transactionalId" | "producerId" | "topicId" | "brokerEndpoint";

export interface EntityField {
  readonly kind: EntityKind;
  readonly path: readonly string[];
  /** [min, max] message versions in which the field exists. */
  readonly versions: readonly [number, number];
}
