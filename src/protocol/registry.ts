// Lookup of the generated API codecs by key.
import type { ApiSpec } from "./api-spec.ts";
import { API_LIST } from "./messages/index.ts";

// deno-lint-ignore no-explicit-any
const BY_KEY: (ApiSpec<any, any> | undefined)[] = [];
for (const api of API_LIST) BY_KEY[api.apiKey] = api;

// deno-lint-ignore no-explicit-any
export function apiSpec(apiKey: number): ApiSpec<any, any> | undefined {
  return apiKey >= 0 ? BY_KEY[apiKey] : undefined;
}

export { API_LIST };
