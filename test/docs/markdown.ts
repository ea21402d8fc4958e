import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/docs/ is two levels down). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** README.md, bench/README.md and every docs/**\/*.md, as paths relative to the root. */
export function documentationFiles(): string[] {
  const files = ['README.md', 'bench/README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files;
}

export function readDoc(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** A fenced code block: its info string, first content line (1-based) and lines. */
export interface CodeBlock {
  info: string;
  /** The HTML comment on the line before the opening fence (blank lines skipped), if any. */
  marker: string | null;
  startLine: number;
  lines: string[];
}

/** A line outside code blocks, with its 1-based number. */
export interface ProseLine {
  line: number;
  text: string;
}

/** Split a markdown text into fenced code blocks and the prose lines outside them. */
export function parseMarkdown(text: string): { blocks: CodeBlock[]; prose: ProseLine[] } {
  const blocks: CodeBlock[] = [];
  const prose: ProseLine[] = [];
  const lines = text.split('\n');
  let open: CodeBlock | null = null;
  let fence = '';
  let lastComment: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMatch = /^\s*(```+|~~~+)(.*)$/.exec(line);
    if (open !== null) {
      if (fenceMatch !== null && fenceMatch[1]!.startsWith(fence) && fenceMatch[2]!.trim() === '') {
        blocks.push(open);
        open = null;
      } else open.lines.push(line);
      continue;
    }
    if (fenceMatch !== null) {
      fence = fenceMatch[1]!;
      open = { info: fenceMatch[2]!.trim(), marker: lastComment, startLine: i + 2, lines: [] };
      lastComment = null;
      continue;
    }
    prose.push({ line: i + 1, text: line });
    const comment = /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(line);
    if (comment !== null) lastComment = comment[1]!;
    else if (line.trim() !== '') lastComment = null;
  }
  return { blocks, prose };
}

/**
 * The anchors GitHub gives the headings of a markdown text: lower case, punctuation dropped,
 * spaces to hyphens, `-1`, `-2` ... for repeats (as github-slugger does).
 */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of parseMarkdown(text).prose) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const visible = m[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = visible
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every markdown link and image target in the prose (inline code spans skipped), with its line. */
export function linkTargets(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  for (const { line, text: prose } of parseMarkdown(text).prose) {
    const withoutCode = prose.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ line, target: m[1]! });
  }
  return out;
}
