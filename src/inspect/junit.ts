import { FINDINGS, FINDING_IDS } from './catalogue.js';
import type { Finding, InspectResult } from './types.js';

const escape = (s: string): string =>
  s
    .replace(/[\0-\x08\x0b\x0c\x0e-\x1f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

function details(fs: readonly Finding[]): string {
  return fs
    .map((f) =>
      [
        `${f.severity.toUpperCase()} ${f.id}: ${f.message}`,
        ...(f.evidence === undefined ? [] : [`evidence: ${f.evidence}`]),
        `why: ${f.why}`,
        `fix: ${f.fix}`,
        `see: ${f.refs.join(' ')}`,
      ].join('\n'),
    )
    .join('\n\n');
}

/**
 * JUnit XML for CI systems: one test case per catalogue id, so every run has the same cases.
 * An error finding is a <failure> (the exit code is 1 then); warnings and info pass, with the
 * finding in <system-out> so CI reports still show them.
 */
export function formatJunit(result: InspectResult): string {
  const final = result.exchanges[result.exchanges.length - 1];
  const name = final === undefined ? 'faultline inspect' : `faultline inspect ${final.request.method} ${final.request.url}`;
  const time = ((final?.timings.totalMs ?? 0) / 1000).toFixed(3);
  const cases = FINDING_IDS.map((id) => {
    const fs = result.findings.filter((f) => f.id === id);
    const open = `    <testcase classname="faultline.inspect.${FINDINGS[id].severity}" name="${id}" time="0">`;
    if (fs.length === 0) return `${open}</testcase>`;
    const body = escape(details(fs));
    const inner =
      FINDINGS[id].severity === 'error'
        ? `<failure type="${id}" message="${escape(fs.map((f) => f.message).join('; '))}">${body}</failure>`
        : `<system-out>${body}</system-out>`;
    return `${open}\n      ${inner}\n    </testcase>`;
  });
  const failures = new Set(result.findings.filter((f) => f.severity === 'error').map((f) => f.id)).size;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline inspect" tests="${FINDING_IDS.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${escape(name)}" tests="${FINDING_IDS.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
