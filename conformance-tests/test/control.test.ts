// Scenario controls (spec.controls): what the runner, workerd's control entrypoint
// and the Bun/Deno host all call, so a control answers alike wherever the app runs.
import { callControl, type Controls } from '@portcullis/conformance';
import { describe, expect, it } from 'vitest';

describe('callControl', () => {
  let count = 0;
  const controls: Controls = {
    add: (n) => {
      count += n as number;
      return count;
    },
    nothing: () => {},
    shared: () => ({ at: new Date(0) as unknown as string, missing: undefined as unknown as string }),
  };

  it('runs the named control with the argument and answers its result', async () => {
    expect(await callControl(controls, 'add', 2)).toBe(2);
    expect(await callControl(controls, 'add', 3)).toBe(5);
  });

  it('answers null for a control that returns nothing, and copies through JSON both ways', async () => {
    expect(await callControl(controls, 'nothing', null)).toBeNull();
    expect(await callControl(controls, 'shared', null)).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('refuses an unknown name, an inherited property and a spec without controls', async () => {
    await expect(callControl(controls, 'missing', null)).rejects.toThrow('the app has no control "missing"');
    await expect(callControl(controls, 'toString', null)).rejects.toThrow('no control "toString"');
    await expect(callControl(undefined, 'add', 1)).rejects.toThrow('no control "add"');
  });
});
