import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { stopProcess, track } from './processes';
import { freePort } from './registry-process';

const TINYPROXY_BIN = '/usr/bin/tinyproxy';

/**
 * A real forward proxy: Debian's tinyproxy on 127.0.0.1 (random port), optionally with Basic auth
 * (`BasicAuth USER PASS`: a request without the right Proxy-Authorization gets 407). Every request,
 * CONNECT tunnels included, is in its log as `Request (file descriptor N): CONNECT HOST:PORT HTTP/1.1`,
 * which is how tests prove a connection went through it (or did not).
 */
export interface HttpProxy {
  host: string;
  port: number;
  /** http://HOST:PORT, or http://USER:PASS@HOST:PORT when it requires auth. */
  url: string;
  logFile: string;
  /** `HOST:PORT` of every CONNECT request so far, in order. */
  connects(): Promise<string[]>;
  /** The whole log (to check it never holds a password, and for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface HttpProxyOptions {
  dir: string;
  auth?: { username: string; password: string };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitListening(child: ChildProcess, port: number, logFile: string): Promise<'ready' | 'port-taken'> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (/Address already in use|Could not create listening sockets/i.test(log)) return 'port-taken';
      throw new Error(`tinyproxy exited (${child.exitCode ?? child.signalCode}) before listening; log:\n${log}`);
    }
    if (await accepts(port)) return 'ready';
    await sleep(30);
  }
  throw new Error(`tinyproxy did not listen on 127.0.0.1:${port} within 15 s; see ${logFile}`);
}

export async function startHttpProxy(opts: HttpProxyOptions): Promise<HttpProxy> {
  await mkdir(opts.dir, { recursive: true });
  const logFile = join(opts.dir, 'tinyproxy.log');
  const configPath = join(opts.dir, 'tinyproxy.conf');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const lines = [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 120',
      `LogFile "${logFile}"`,
      'LogLevel Info',
      'MaxClients 100',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      ...(opts.auth ? [`BasicAuth ${opts.auth.username} ${opts.auth.password}`] : []),
    ];
    await writeFile(configPath, `${lines.join('\n')}\n`);
    await writeFile(logFile, '');
    const out = openSync(join(opts.dir, 'tinyproxy.out'), 'w');
    let child: ChildProcess;
    try {
      // -d: stay in the foreground, so the harness owns (and kills) the process.
      child = spawn(TINYPROXY_BIN, ['-d', '-c', configPath], { stdio: ['ignore', out, out], env: { PATH: process.env.PATH ?? '' } });
    } finally {
      closeSync(out);
    }
    track(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const state = await waitListening(child, port, logFile).catch(async (err: unknown) => {
      await stopProcess(child);
      throw err;
    });
    if (state === 'port-taken' && attempt < 5) continue;
    if (state === 'port-taken') throw new Error(`tinyproxy could not find a free port after ${attempt} attempts`);
    const host = `127.0.0.1:${port}`;
    const auth = opts.auth ? `${encodeURIComponent(opts.auth.username)}:${encodeURIComponent(opts.auth.password)}@` : '';
    const log = () => readFile(logFile, 'utf8');
    return {
      host,
      port,
      url: `http://${auth}${host}`,
      logFile,
      log,
      async connects() {
        return [...(await log()).matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((m) => m[1]!);
      },
      stop: () => stopProcess(child),
    };
  }
}
