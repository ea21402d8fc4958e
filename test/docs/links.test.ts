import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentationFiles, headingAnchors, linkTargets, readDoc, ROOT } from './markdown.js';

/**
 * Every relative link in README.md, bench/README.md and docs/ resolves: the file or directory
 * exists in the repository, and a `#anchor` names a heading of the markdown file it points to.
 */
function brokenLinks(file: string, text: string, read: (file: string) => string | null): string[] {
  const broken: string[] = [];
  for (const { line, target } of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const hash = target.indexOf('#');
    const pathPart = hash === -1 ? target : target.slice(0, hash);
    const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === '' ? file : normalize(join(dirname(file), decodeURIComponent(pathPart)));
    const where = `${file}:${line}: ${target}`;
    if (resolved.startsWith('..')) {
      broken.push(`${where}: points outside the repository`);
      continue;
    }
    const absolute = join(ROOT, resolved);
    const content = resolved === file ? text : read(resolved);
    if (content === null && !existsSync(absolute)) {
      broken.push(`${where}: ${resolved} does not exist`);
      continue;
    }
    if (anchor === null || anchor === '') continue;
    if (!resolved.endsWith('.md') || content === null) {
      broken.push(`${where}: an anchor into a file that is not markdown`);
      continue;
    }
    if (!headingAnchors(content).has(anchor)) broken.push(`${where}: no heading "#${anchor}" in ${resolved}`);
  }
  return broken;
}

const readRepoFile = (file: string): string | null => {
  const absolute = join(ROOT, file);
  if (!existsSync(absolute) || statSync(absolute).isDirectory()) return null;
  return file.endsWith('.md') ? readDoc(file) : '';
};

describe('documentation links', () => {
  const files = documentationFiles();

  it('covers the README and the docs/ reference, links and anchors', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/errors.md');
    const readmeLinks = linkTargets(readDoc('README.md')).map((l) => l.target);
    expect(readmeLinks).toContain('docs/faults.md#per-request-faults-by-header');
    expect(readmeLinks.filter((t) => t.startsWith('docs/')).length).toBeGreaterThan(20);
  });

  for (const file of files) {
    it(`${file}: every relative link and anchor resolves`, () => {
      expect(brokenLinks(file, readDoc(file), readRepoFile)).toEqual([]);
    });
  }

  it('the checker itself reports a missing file, a missing heading and a link outside the repository', () => {
    const text = [
      '# Title',
      '## Two words, `code` here',
      '[ok](#two-words-code-here) [bad anchor](#nope) [gone](missing.md) [out](../../x.md)',
      '`[in code](nowhere.md)`',
      '```',
      '[in a block](nowhere.md)',
      '```',
      '[other](errors.md#the-codes) [other bad](errors.md#no-such-section) [web](https://example.com/#x)',
    ].join('\n');
    expect(brokenLinks('docs/planted.md', text, readRepoFile)).toEqual([
      'docs/planted.md:3: #nope: no heading "#nope" in docs/planted.md',
      'docs/planted.md:3: missing.md: docs/missing.md does not exist',
      'docs/planted.md:3: ../../x.md: points outside the repository',
      'docs/planted.md:8: errors.md#no-such-section: no heading "#no-such-section" in docs/errors.md',
    ]);
  });

  it('anchors follow GitHub: punctuation dropped, repeats numbered', () => {
    const anchors = headingAnchors(
      '# A\n## Several replicas, one truth: `--store redis://`\n## `when.quota`\n## Notes\n## Notes\n',
    );
    expect([...anchors]).toEqual(['a', 'several-replicas-one-truth---store-redis', 'whenquota', 'notes', 'notes-1']);
  });
});
