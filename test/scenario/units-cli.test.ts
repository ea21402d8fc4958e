import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { scenarioFile } from '../helpers/faultline.js';

/* Ambiguous units, as a user meets them: in a scenario file, and in a setting on the command line. */

describe('units on the command line', () => {
  it('validate refuses 10Mb/s, 10mb and "5 seconds" at file:line:column, and reads 10Mbit/s', async () => {
    const file = scenarioFile(`version: 1
rules:
  - name: slow
    fault: { throttle: 10Mb/s }
  - name: cut
    fault: { truncate: 10mb }
  - name: late
    fault: { delay: 5 seconds }
`);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([
      `${file}:4:24: rules[0].fault.throttle: "10Mb/s" is ambiguous (a lowercase b means bits): write 10Mbit/s for 10 megabits per second (1250000 bytes/s) or 10MB/s for 10 megabytes per second (10000000 bytes/s)`,
      `${file}:6:24: rules[1].fault.truncate: "10mb" is ambiguous (a lowercase b means bits): write 10MB for 10 megabytes (10000000 bytes); 10 megabits would be 1250000 bytes`,
      `${file}:8:21: rules[2].fault.delay: "5 seconds" is not a duration faultline reads: write 5s (units: ms, s, m, h)`,
    ]);
    const ok = scenarioFile('version: 1\nrules:\n  - name: slow\n    fault: { throttle: 10Mbit/s }\n');
    expect(await runCli(['validate', ok])).toMatchObject({ code: 0, stderr: '' });
  });

  it('serve refuses --drain-limit 10mb with the same words', async () => {
    const r = await runCli(['serve', '--upstream', 'http://127.0.0.1:9', '--drain-limit', '10mb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/drain-limit.*"10mb" is ambiguous \(a lowercase b means bits\): write 10MB for 10 megabytes/);
  });
});
