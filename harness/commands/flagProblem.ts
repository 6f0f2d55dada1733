/**
 * A problem an options check named by the option (`perPacket must be …`), named instead by the
 * flag the user typed (`--per-packet must be …`). Only a leading option name listed in `names` is
 * rewritten; `renames` gives flags that are not the option's name in kebab case.
 */
export function flagProblem(problem: string, names: ReadonlySet<string>, renames: Readonly<Record<string, string>> = {}): string {
  return problem.replace(/^[a-zA-Z]+/, (name) => (names.has(name)
    ? `--${renames[name] ?? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    : name));
}
