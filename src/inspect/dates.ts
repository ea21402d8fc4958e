// RFC 9110 §5.6.7: senders generate IMF-fixdate only; recipients also accept the obsolete RFC 850
// and asctime forms. Date.parse alone is too lenient (it reads "1.5" as a date), hence the shapes.
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const OBSOLETE = [
  new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`),
];

/** Milliseconds since the epoch of an HTTP-date a recipient accepts (any of the three forms), or null. */
export function parseHttpDate(value: string): number | null {
  const v = value.trim();
  if (!IMF_FIXDATE.test(v) && !OBSOLETE.some((re) => re.test(v))) return null;
  const asctime = OBSOLETE[1]!.test(v);
  const t = Date.parse(asctime ? `${v} GMT` : v);
  return Number.isNaN(t) ? null : t;
}

/** Is this the one form senders may generate (RFC 9110 §5.6.7)? */
export function isImfFixdate(value: string): boolean {
  return IMF_FIXDATE.test(value) && parseHttpDate(value) !== null;
}
