import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { formatProblem } from '../../src/errors.js';
import { readScenarioFiles, loadRuleSet } from '../../src/scenario/load.js';

/* Every example in scenarios/ must validate: they are documentation that users copy. */

const DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const names = readdirSync(DIR)
  .filter((n) => /\.ya?ml$/.test(n))
  .sort();

describe('scenarios/', () => {
  it('holds the documented examples', () => {
    expect(names).toEqual(expect.arrayContaining(['demo.yaml', 'storage-quota.yaml', 'flaky-api.yaml', 'slow-downloads.yaml']));
  });

  it.each(names)('%s validates', async (name) => {
    const { problems, docs } = await readScenarioFiles([DIR + name]);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(docs[0]?.data.rules.length).toBeGreaterThan(0);
  });

  it('loads as one directory (rule names are unique across the examples)', async () => {
    const set = await loadRuleSet([DIR]);
    expect(set.files.length).toBe(names.length);
  });

  it('demo.yaml has the rules npm start relies on', async () => {
    const set = await loadRuleSet([DIR + 'demo.yaml']);
    const uploads = set.byName.get('uploads-507');
    expect(uploads?.fault.kind).toBe('status');
    expect(uploads?.when.probability).toBe(0.2);
    expect(set.seed).toBe(42);
  });
});
