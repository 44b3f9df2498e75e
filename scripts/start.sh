#!/usr/bin/env bash
# Runs Ferry. With a display and Electron available: the desktop app. Without a display: a demo of the
# main job (release → removable media → mirror registry → cluster config) against throwaway local
# registries; `npm run serve` then opens the same UI in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  npm ci --no-audit --no-fund
  npm run build
  if npx --no-install electron --version >/dev/null 2>&1; then
    exec npx --no-install electron-vite preview
  fi
  echo "Electron could not be started here; running the demo instead." >&2
else
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  npm run build
fi
npm run --silent demo
