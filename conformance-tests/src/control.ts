import type { Client } from './scenario.js';
import type { Control, Controls, Json } from './spec.js';

/** A JSON value copied through `JSON` (`undefined` becomes `null`), as it would cross a process boundary. */
function copy(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

/**
 * Runs the control `name` of an app spec with a JSON argument and answers its
 * result as JSON. The runner calls it for apps in the test process; a runtime's
 * test build calls it behind its control endpoint (the `RemoteApp.control` of
 * the test process), so a control behaves the same wherever the app runs.
 *
 * @throws when the spec has no control of that name.
 *
 * @example
 * ```ts
 * import { callControl, type AppSpec, type Json } from '@portcullis/conformance';
 * declare const spec: AppSpec;
 * declare const body: { name: string; arg: Json };
 * const answer = Response.json(await callControl(spec.controls, body.name, body.arg));
 * ```
 */
export async function callControl(controls: Controls | undefined, name: string, arg: Json): Promise<Json> {
  const control = controls !== undefined && Object.hasOwn(controls, name) ? controls[name] : undefined;
  if (control === undefined) throw new Error(`the app has no control ${JSON.stringify(name)}`);
  return copy(await control(copy(arg)));
}

/**
 * A control that answers what `log` received since its previous call and empties
 * it: a scenario's captured events or log lines, read with {@link taken}.
 */
export function takeControl(log: unknown[]): Control {
  return () => log.splice(0) as unknown as Json;
}

/** Calls a {@link takeControl} of the app (default name `takeEvents`): the entries logged since the last call. */
export async function taken<E>(t: Client, name = 'takeEvents'): Promise<E[]> {
  return (await t.control(name)) as unknown as E[];
}
