// `${VAR}` in config values, substituted after YAML parsing so that a secret containing YAML
// syntax (':', '#', quotes) cannot change the structure of the file.

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${VAR}` and `${VAR:-fallback}` in every string of `value`; `$${` is a literal `${`.
 * An unset variable becomes "" (the schema then treats optional secrets as absent and reports
 * required ones), and so does a set-but-empty one unless it has a fallback.
 */
export function substituteEnv(value: unknown, env: (name: string) => string | undefined): unknown {
  if (typeof value === "string") {
    return value.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === "$${") return "${";
      const found = env(name!);
      return found !== undefined && found !== "" ? found : (fallback ?? "");
    });
  }
  if (Array.isArray(value)) return value.map((item) => substituteEnv(item, env));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env)]));
  }
  return value;
}
