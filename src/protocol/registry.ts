// Lookup of the generated API codecs by key: typed for a known key (`apiSpec(ApiKey.Metadata)`),
// untyped and possibly undefined for a number read off the wire.
import type { ApiSpec } from "./api-spec.ts";
import type { ApiKey } from "./messages/api-keys.ts";
import { API_LIST, type ApiSpecOf } from "./messages/index.ts";

// deno-lint-ignore no-explicit-any
const BY_KEY: (ApiSpec<any, any> | undefined)[] = [];
for (const api of API_LIST) BY_KEY[api.apiKey] = api;

export function apiSpec<K extends ApiKey>(apiKey: K): ApiSpecOf<K>;
// deno-lint-ignore no-explicit-any
export function apiSpec(apiKey: number): ApiSpec<any, any> | undefined;
// deno-lint-ignore no-explicit-any
export function apiSpec(apiKey: number): ApiSpec<any, any> | undefined {
  return apiKey >= 0 ? BY_KEY[apiKey] : undefined;
}

export { API_LIST };
