export { type ConfigProblem, ConfigError } from "./config-error.ts";
export { substituteEnv } from "./env-substitution.ts";
export {
  EMBEDDED_DEFAULTS_SOURCE,
  type EnvLookup,
  loadConfig,
  type LoadConfigOptions,
  parseConfigObject,
  parseConfigText,
} from "./load-config.ts";
export { type Config, type ConfigInput, configSchema } from "./schema.ts";
