/**
 * The layer rules of DESIGN §2, by runtime (drawn in ARCHITECTURE.md). `npm run lint` runs them;
 * test/unit/shell/layers.test.ts shows each kind of break is reported and that the tree passes.
 * Paths are relative to the repository root; type-only imports count (tsPreCompilationDeps).
 */
const ELECTRON_PACKAGE = '(^|/)node_modules/electron/';
const NPM = '(^|/)node_modules/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-runtime-free',
      comment: 'shared/ runs in the renderer and in Node alike: no Node builtins (DOM globals are checked by ESLint).',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-is-the-bottom',
      comment: 'shared/ is the contract both sides import; it imports neither side.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(electron|renderer)/' },
    },
    {
      name: 'engine-is-pure-node',
      comment: 'The engine knows no host: no Electron, no app, CLI, serve, job or worker code, no renderer.',
      severity: 'error',
      from: { path: '^electron/engine/' },
      to: { path: ['^electron/(main|preload|worker|cli|serve|jobs|host)/', '^renderer/', ELECTRON_PACKAGE] },
    },
    {
      name: 'electron-only-in-main-and-preload',
      comment:
        'Only the Electron processes import the electron package: host code, jobs, workers, serve, the CLI and every test run on plain Node.',
      severity: 'error',
      from: { pathNot: '^electron/(main|preload)/' },
      to: { path: ELECTRON_PACKAGE },
    },
    {
      name: 'nothing-below-the-cli-imports-it',
      comment:
        'The CLI is a host on top; code it uses lives below it (shared/format, electron/host/common-options). Tests, benches and scripts may drive it. ' +
        'The one exception, cli-launch-runs-the-cli below, is the desktop binary running the CLI as VS Code runs `code`.',
      severity: 'error',
      from: { pathNot: ['^electron/cli/', '^(test|bench|scripts)/', '^electron/main/(cli-launch|index)\\.ts$'] },
      to: { path: '^electron/cli/' },
    },
    {
      name: 'cli-launch-runs-the-cli',
      comment:
        'electron/main/cli-launch.ts reads the command table and electron/main/index.ts starts runCli when the desktop binary is called as `ferry CMD`; nothing else of the CLI.',
      severity: 'error',
      from: { path: '^electron/main/(cli-launch|index)\\.ts$' },
      to: { path: '^electron/cli/', pathNot: '^electron/cli/(commands/index|run)\\.ts$' },
    },
    {
      name: 'host-is-electron-free',
      comment: 'electron/host/ (dispatcher, handlers, security policy, options) serves both main/ and serve/: it imports neither, nor workers.',
      severity: 'error',
      from: { path: '^electron/host/' },
      to: { path: '^electron/(main|preload|serve|worker|cli)/' },
    },
    {
      name: 'jobs-below-hosts',
      comment: 'electron/jobs/ is used by main/, serve/, host/ and worker/; it imports none of them.',
      severity: 'error',
      from: { path: '^electron/jobs/' },
      to: { path: '^electron/(main|preload|serve|worker|cli|host)/' },
    },
    {
      name: 'serve-and-worker-not-main',
      comment: 'ferry serve and the job worker run on plain Node: they share host/ and jobs/ with main/, never main/ itself.',
      severity: 'error',
      from: { path: '^electron/(serve|worker)/' },
      to: { path: '^electron/(main|preload)/' },
    },
    {
      name: 'renderer-only-shared',
      comment: 'The sandboxed renderer reaches the engine only through the typed API: it imports shared/, its own files and npm UI packages.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { pathNot: ['^renderer/', '^shared/', NPM] },
    },
    {
      name: 'preload-only-shared',
      comment: 'The preload exposes exactly the typed API: shared/, its own files and electron.',
      severity: 'error',
      from: { path: '^electron/preload/' },
      to: { pathNot: ['^electron/preload/', '^shared/', NPM] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing would hide a dependency from every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: NPM },
    // node_modules must not be excluded: a dependency on an excluded module is dropped, and with it the electron rule.
    exclude: { path: '^(out|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
