import { azureXml } from './azure-xml.js';
import { b2Json } from './b2-json.js';
import { davXml } from './dav-xml.js';
import { googleJson } from './google-json.js';
import { graphJson } from './graph-json.js';
import { html, nginxHtml } from './html.js';
import { postgrestJson } from './postgrest-json.js';
import type { BuilderName } from './presets.js';
import { problemJson } from './problem-json.js';
import { cephXml, s3Xml } from './s3-xml.js';
import { text } from './text.js';
import type { DialectBody, DialectInput, FormatBuilder } from './types.js';

export type { DialectInput, QuotaFigures } from './types.js';

const BUILDERS: Record<BuilderName, FormatBuilder> = {
  problem: problemJson,
  's3-xml': s3Xml,
  'ceph-xml': cephXml,
  'azure-xml': azureXml,
  'google-json': googleJson,
  'graph-json': graphJson,
  'b2-json': b2Json,
  'sabredav-xml': davXml,
  'postgrest-json': postgrestJson,
  text,
  html,
  'nginx-html': nginxHtml,
};

/** The body, content type and vendor headers of an injected answer in the given format. */
export function renderDialect(format: BuilderName, input: DialectInput): DialectBody {
  return BUILDERS[format](input);
}
