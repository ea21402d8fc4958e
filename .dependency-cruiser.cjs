// The architecture, written down (npm run lint runs it; CI runs npm run lint).
//
//   config → scenario (compile) → proxy (hot path) → faults → quota → metrics/admin → cli
//
// `scenario/`, `http/` and `errors.ts` are the vocabulary: pure, importable from anywhere, importing
// no runtime part. `proxy/` is the hot path: it knows the rules and the fault registry, never the
// control plane. Fault kinds and the quota engine decide and plan; only the proxy core forwards, so
// they see the proxy through types alone. The console's browser code shares only wire types.
//
// Change a rule only with the design, never to make a build pass.
const RUNTIME = '^src/(proxy|faults|quota|admin|app|cli|metrics|console|inspect|cluster|log|demo|net|session|guard|client)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'No import cycles between files. Type-only imports are erased at compile time and may refer back ' +
        '(an exchange and the events that receive it); any cycle with a value import in it is an error.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'vocabulary-is-pure',
      comment: 'scenario/, http/ and errors.ts import nothing of the runtime parts.',
      severity: 'error',
      from: { path: '^src/(scenario/|http/|errors\\.ts$)' },
      to: { path: RUNTIME },
    },
    {
      name: 'proxy-knows-no-control-plane',
      comment: 'The hot path imports nothing of admin/, console/, cli/, inspect/, metrics/ (they listen to its events).',
      severity: 'error',
      from: { path: '^src/proxy/' },
      to: { path: '^src/(admin|console|cli|inspect|metrics)/' },
    },
    {
      name: 'faults-and-quota-see-proxy-types-only',
      comment: 'Fault kinds and the quota engine plan and decide; only the proxy core forwards.',
      severity: 'error',
      from: { path: '^src/(faults|quota)/' },
      to: { path: '^src/proxy/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'proxy-reaches-faults-through-the-registry',
      comment: 'src/proxy/ reaches fault kinds through the registry, never a kind file directly.',
      severity: 'error',
      from: { path: '^src/proxy/' },
      // The faults package's interface: the registry, the plan vocabulary (and the cut counter that
      // finds a limit shape's cut point in the bytes), answer rendering and the per-request fault
      // headers. Each kind's own file stays behind the registry.
      to: {
        path: '^src/faults/',
        pathNot: '^src/faults/(registry|plan|cut-counter|answer|header-fault|envoy-headers)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'console-ui-shares-wire-types-only',
      comment: 'The browser bundle imports its own folder, uPlot, and type-only wire definitions.',
      severity: 'error',
      from: { path: '^src/console/ui/' },
      to: {
        path: '^src/',
        pathNot: ['^src/console/ui/'],
      },
    },
    {
      name: 'no-orphans',
      comment: 'A source file nothing imports is dead code (entry points excepted).',
      severity: 'error',
      from: {
        orphan: true,
        path: '^src/',
        pathNot: [
          '\\.d\\.ts$',
          '^src/cli/main\\.ts$',
          '^src/index\\.ts$',
          '^src/console/ui/main\\.ts$',
          '^src/client/index\\.ts$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
