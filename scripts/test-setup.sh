#!/usr/bin/env bash
# Installs what the tests need on Debian/Ubuntu, then type-checks, lints (layers + ESLint), builds and runs every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# The Electron binary is not needed (and cannot be downloaded everywhere): tests never import electron.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run build
npm test
