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

/** Forwards a worker's stdout/stderr line by line, each prefixed with job id and pid (grep-able per job). */
export function forwardWorkerLogs(streams: ReadonlyArray<NodeJS.ReadableStream | null | undefined>, prefix: () => string, log: (line: string) => void): void {
  for (const stream of streams) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) log(`${prefix()} ${line}`);
    });
  }
}

/** Exit bookkeeping both hosts need: whether the worker is gone, and listeners to tell when it goes. */
export function exitTracker(): { readonly exited: boolean; listeners: Array<(code: number | null) => void>; exit(code: number | null): void } {
  const state = {
    exited: false,
    listeners: [] as Array<(code: number | null) => void>,
    exit(code: number | null) {
      state.exited = true;
      for (const l of state.listeners) l(code);
    },
  };
  return state;
}
