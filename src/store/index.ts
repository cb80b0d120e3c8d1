export { createStore, type CreateStoreOptions } from "./create-store.ts";
export { applyDeclaredVclusters } from "./declared-vclusters.ts";
export { StoreError } from "./errors.ts";
export type { StoreEvent, StoreListener } from "./events.ts";
export { FileStore, type StoreFiles } from "./file-store.ts";
export { KafkaStore, type KafkaStoreOptions } from "./kafka-store.ts";
export { MemoryStore } from "./memory-store.ts";
export type { PutVclusterInput, PutVclusterResult } from "./mutations.ts";
export * from "../model/prefix-rules.ts";
export type {
  IssuedTokenRecord,
  RevokedTokenRecord,
  SecretName,
  ServiceAccountAuth,
  ServiceAccountRecord,
  StoreState,
  VclusterRecord,
} from "./records.ts";
export type { StateStore } from "./state-store.ts";
