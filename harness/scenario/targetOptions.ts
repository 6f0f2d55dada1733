/**
 * One option of a target as written: in the `--target` string form (`user=mb`) or as a key of a
 * scenario's `target:` map (`user: mb`). The parsers of each kind (parseSoupTarget.ts,
 * parseFixTarget.ts) read these, so that both forms check a value the same way.
 */
export interface TargetOption {
  readonly key: string;
  /** As written ('' when the string form has no `=`); a map's numbers and booleans as text (`4.4`, `true`). */
  readonly value: string;
  /** How to show it in a message: `user=mb` in the string form, `user: mb` in a map. */
  readonly shown: string;
}

/** `tcp://h:p,md=h:q,x` → `tcp://h:p` and its options, split at `,` and each at its first `=`. */
export function splitTargetOptions(text: string): { readonly main: string; readonly options: readonly TargetOption[] } {
  const [main = '', ...parts] = text.trim().split(',');
  return {
    main,
    options: parts.map((part) => {
      const at = part.indexOf('=');
      return { key: at < 0 ? part : part.slice(0, at), value: at < 0 ? '' : part.slice(at + 1), shown: part };
    }),
  };
}
