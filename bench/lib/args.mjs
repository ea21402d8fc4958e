// Flags of bench/run.mjs.
export const USAGE = `usage: node bench/run.mjs [--quick] [--rounds N] [--duration S] [--only a,b,...]
                        [--stream-bytes N] [--stream-rounds N] [--no-stream] [--no-h2] [--out FILE]
                        [--compare PATH] [--faultline PATH] [--profiles LIST]

  --quick           ~20 s end to end: 1 round of 1 s runs (autocannon @50, wrk @1), 32 MiB
                    streamed, no reference scripts; proves the harness works (CI runs it),
                    measures nothing reliable
  --rounds N        interleaved rounds (default 5)
  --duration S      seconds per measurement (default 5; whole seconds: autocannon and wrk round up)
  --only LIST       targets, comma-separated: direct, floor, faultline, faultline-100,
                    faultline-507, nginx, node-http, undici (default: all that can run here)
  --stream-bytes N  bytes streamed each way (default 1 GiB; quick 64 MiB)
  --no-stream       skip the streaming phase
  --no-h2           skip the HTTP/2 phase (h2load against faultline and the HTTP/2 floor; it
                    runs when h2load, from Debian's nghttp2-client, is on PATH)
  --compare PATH    also run another faultline build (its dist/cli/main.js, or the checkout
                    holding it) as target faultline-b: an A/B of a change, side by side
  --faultline PATH  measure the faultline build in checkout PATH (default: this work tree)
  --profiles LIST   measurements, comma-separated: ac-c50, wrk-c50, ac-c1, wrk-c1, ac-c50-64k,
                    wrk-c50-64k
  --out FILE        where to write results (default: bench/results/latest.json for a full run,
                    bench/results/quick.json.tmp otherwise)`;

export function parseArgs(argv) {
  const o = {
    quick: false,
    rounds: null,
    duration: null,
    only: null,
    streamBytes: null,
    streamRounds: null,
    stream: true,
    h2: true,
    out: null,
    compare: null,
    faultline: null,
    profiles: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const num = (min) => {
      const n = Number(val());
      if (!Number.isFinite(n) || n < min) throw new Error(`${a} must be a number >= ${min}`);
      return n;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Math.floor(num(1));
    else if (a === '--duration') o.duration = Math.ceil(num(1));
    else if (a === '--only')
      o.only = val()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--stream-bytes') o.streamBytes = Math.floor(num(1));
    else if (a === '--stream-rounds') o.streamRounds = Math.floor(num(1));
    else if (a === '--no-stream') o.stream = false;
    else if (a === '--no-h2') o.h2 = false;
    else if (a === '--out') o.out = val();
    else if (a === '--compare') o.compare = val();
    else if (a === '--faultline') o.faultline = val();
    else if (a === '--profiles')
      o.profiles = val()
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown flag ${a}`);
  }
  const full =
    !o.quick &&
    o.rounds === null &&
    o.duration === null &&
    o.only === null &&
    o.streamBytes === null &&
    o.stream &&
    o.h2 &&
    o.compare === null &&
    o.faultline === null &&
    o.profiles === null;
  o.rounds ??= o.quick ? 1 : 5;
  o.duration ??= o.quick ? 1 : 5;
  o.streamBytes ??= o.quick ? 32 * 2 ** 20 : 2 ** 30;
  o.streamRounds ??= o.quick ? 1 : 3;
  o.full = full;
  return o;
}
