// electron-builder afterPack hook: flips Electron fuses in the packaged binary (DESIGN §5), as
// Podman Desktop's .electron-builder.config.cjs and Fiddle's forge config do. CommonJS because
// electron-builder require()s hooks.
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse settings, exported so tests can check them without packaging. */
const FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
};

function electronBinary(context) {
  const platform = context.electronPlatformName;
  const name = context.packager.appInfo.productFilename;
  if (platform === 'darwin' || platform === 'mas') return path.join(context.appOutDir, `${name}.app`);
  if (platform === 'win32') return path.join(context.appOutDir, `${name}.exe`);
  return path.join(context.appOutDir, context.packager.executableName);
}

async function afterPack(context) {
  // arm64 macOS binaries must be re-signed ad hoc after their bytes change, or they will not start.
  const adHoc = context.electronPlatformName === 'darwin' && context.arch === 3; // builder-util Arch.arm64
  await flipFuses(electronBinary(context), { version: FuseVersion.V1, resetAdHocDarwinSignature: adHoc, ...FUSES });
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSES = FUSES;
