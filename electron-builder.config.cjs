// electron-builder configuration (CommonJS: the package is ESM but electron-builder require()s this).
// Packaging cannot run in CI here (no Electron binary); test/unit/shell/packaging.test.ts checks it statically.

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'io.ferry.app',
  productName: 'Ferry',
  copyright: 'Copyright © Ferry contributors',
  directories: { output: 'dist', buildResources: 'build-resources' },
  // Only the built app; production node_modules are added by electron-builder itself.
  files: ['out/**', 'package.json'],
  asar: true,
  asarUnpack: ['**/*.node'],
  afterPack: './build-resources/after-pack.cjs',
  icon: 'build-resources/icon.png',
  linux: {
    target: ['AppImage', 'deb', 'rpm'],
    category: 'Utility',
    icon: 'build-resources/icons',
    executableName: 'ferry',
    synopsis: 'Move OpenShift releases into air-gapped networks',
  },
  deb: { depends: ['libsecret-1-0'] },
  rpm: { depends: ['libsecret'] },
  win: { target: ['nsis'], icon: 'build-resources/icon.ico' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], icon: 'build-resources/icon.icns', category: 'public.app-category.utilities', hardenedRuntime: true },
  dmg: { title: 'Ferry ${version}' },
};
