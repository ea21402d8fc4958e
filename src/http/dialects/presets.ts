/*
 * What each storage service answers when it is full, from the vendors' documentation and sources
 * (docs/dialects.md cites each). `as: <preset>` takes the status, the error code, the message and
 * the body format from here. Pure data: the scenario schema reads the names, the builders the rest.
 */

/** Formats a scenario may name with `format:`. */
export const FORMAT_NAMES = [
  'problem',
  's3-xml',
  'azure-xml',
  'google-json',
  'graph-json',
  'b2-json',
  'sabredav-xml',
  'postgrest-json',
  'text',
  'html',
] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

/** Every body builder: the public formats and two vendor flavours only presets use. */
export type BuilderName = FormatName | 'ceph-xml' | 'nginx-html';

export interface Preset {
  readonly status: number;
  readonly code: string | null;
  readonly message: string | null;
  readonly format: BuilderName;
}

export const PRESETS = {
  minio: {
    status: 507,
    code: 'XMinioStorageFull',
    message: 'Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.',
    format: 's3-xml',
  },
  'minio-bucket-quota': {
    status: 400,
    code: 'XMinioAdminBucketQuotaExceeded',
    message: 'Bucket quota exceeded',
    format: 's3-xml',
  },
  ceph: { status: 403, code: 'QuotaExceeded', message: null, format: 'ceph-xml' },
  'azure-files': { status: 403, code: 'ShareSizeLimitReached', message: 'The specified share is full.', format: 'azure-xml' },
  graph: { status: 507, code: 'quotaLimitReached', message: 'The user has reached their quota limit.', format: 'graph-json' },
  'google-drive': {
    status: 403,
    code: 'storageQuotaExceeded',
    message: "The user's Drive storage quota has been exceeded.",
    format: 'google-json',
  },
  b2: {
    status: 403,
    code: 'storage_cap_exceeded',
    message: 'Cannot upload files, storage cap exceeded. See the Caps & Alerts page to increase your cap.',
    format: 'b2-json',
  },
  webdav: { status: 507, code: 'Sabre\\DAV\\Exception\\InsufficientStorage', message: null, format: 'sabredav-xml' },
  postgrest: {
    status: 503,
    code: '53100',
    message: 'could not extend file "base/16384/16385": No space left on device',
    format: 'postgrest-json',
  },
  'nginx-disk-full': { status: 500, code: null, message: null, format: 'nginx-html' },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
