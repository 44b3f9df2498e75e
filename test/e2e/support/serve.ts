import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stopProcess, track } from '../../support/processes';

export interface ServeProcess {
  /** The address `ferry serve` printed, with its one-time token. */
  url: string;
  /** Everything the server wrote, for leak checks. */
  output(): string;
  stop(): Promise<void>;
}

const URL_RE = /https?:\/\/127\.0\.0\.1:\d+\/\S*/;

/**
 * Starts the real `ferry serve` from this checkout (it serves the built renderer in out/renderer:
 * CI runs `npm run build` first) with its data in `home`, and waits for the address it prints.
 */
export async function startServe(root: string, home: string, opts: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const env = opts.env ?? {};
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'electron/cli/main.ts'), 'serve', '--port', '0', ...(opts.args ?? [])], {
    cwd: root,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'), XDG_RUNTIME_DIR: join(home, 'run'), FERRY_DATA_DIR: join(home, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferry serve printed no address within 60s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = URL_RE.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`ferry serve exited (${code ?? signal}) before printing its address:\n${out}`));
    });
  });
  return { url, output: () => out, stop: () => stopProcess(child) };
}
