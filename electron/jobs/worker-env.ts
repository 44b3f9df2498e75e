/**
 * The environment a worker gets: what the engine needs to find credentials, trust and temp space,
 * nothing else (no NODE_OPTIONS, no inspector flags, no unrelated tokens of the parent).
 */
const PASS = /^(PATH|HOME|USERPROFILE|APPDATA|LOCALAPPDATA|TMPDIR|TEMP|TMP|LANG|LC_\w+|TZ|XDG_\w+|REGISTRY_AUTH_FILE|DOCKER_CONFIG|SSL_CERT_FILE|SSL_CERT_DIR|NODE_EXTRA_CA_CERTS|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|SYSTEMROOT|SystemRoot)$/;

export function workerEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && PASS.test(k)) env[k] = v;
  return env;
}
