import { ConfigurationError } from "./errors.js";

/** Edit distance between two option names, ignoring case (`secretkey` is one step from nothing). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] as number;
}

/** The known name closest to `name`, when it is close enough to be a typo of it. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // `timout` → `timeout` (1), `tenantID` → `tenantId` (0, case), `cookie` → `cookieName` (4) is too far to guess.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Refuses option names `where` does not know, suggesting the closest known
 * one: in JavaScript a typo such as `{ timout: 5 }` would otherwise be
 * ignored silently. Throws a `ConfigurationError` whose `param` is the
 * unknown name. The framework adapters use it for their own options.
 *
 * @example
 * ```ts
 * assertKnownOptions("requireAuth()", { checkRevokd: true }, ["checkRevoked"]);
 * // ConfigurationError: requireAuth() has no option "checkRevokd"; did you mean "checkRevoked"?
 * ```
 */
export function assertKnownOptions(where: string, options: object, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const suggestion = closest(name, known);
    throw new ConfigurationError(
      `${where} has no option ${JSON.stringify(name)}; ${suggestion === undefined ? `the options are ${known.join(", ")}` : `did you mean ${JSON.stringify(suggestion)}?`}`,
      name,
    );
  }
}
