/** Where in the file a problem is: keys and list indexes from the top, e.g. ['phases', 2, 'rate']. */
export type ScenarioPath = readonly (string | number)[];

/** One problem with a scenario file, before it is written out as `path: message`. */
export interface ScenarioProblem {
  readonly path: ScenarioPath;
  readonly message: string;
}

/** `['phases', 2, 'rate', 'perSecond']` → `phases[2].rate.perSecond`; the top level is ''. */
export function formatScenarioPath(path: ScenarioPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text.length === 0 ? part : `.${part}`;
  }
  return text;
}
