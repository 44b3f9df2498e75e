import { shellQuote } from '../../../shared/certs/shell';

/**
 * The text files of a registry node kit (seed 001): how to run distribution under podman with TLS and
 * htpasswd on the node, open its port, and trust its CA. Pure functions of the kit's parameters.
 */

export interface NodeKitParams {
  host: string;
  ips: string[];
  port: number;
  username: string;
  /** Container image of the registry the node runs: its image ID when the kit brings it from a transfer. */
  registryImage: string;
  caFileName: string;
  /** The registry image the transfer carries, written into the kit as an oci-archive for `podman load`. */
  carried?: { archive: string; ref: string; platform: string; digest: string; fromDir: string };
}

const REGISTRY_ROOT = '/opt/registry';
export const CONTAINER_NAME = 'mirror-registry';

/** `podman run` arguments, as in seed 001's registry node: data, auth and certs from /opt/registry. */
function podmanRunArgs(p: NodeKitParams, detach: boolean): string[] {
  return [
    'podman', 'run', ...(detach ? ['-d'] : ['--rm']),
    '--name', CONTAINER_NAME,
    '-p', `${p.port}:5000`,
    '-v', `${REGISTRY_ROOT}/data:/var/lib/registry:z`,
    '-v', `${REGISTRY_ROOT}/auth:/auth:z`,
    '-v', `${REGISTRY_ROOT}/certs:/certs:z`,
    '-e', 'REGISTRY_AUTH=htpasswd',
    '-e', 'REGISTRY_AUTH_HTPASSWD_REALM=Registry Realm',
    '-e', 'REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd',
    '-e', 'REGISTRY_HTTP_TLS_CERTIFICATE=/certs/domain.crt',
    '-e', 'REGISTRY_HTTP_TLS_KEY=/certs/domain.key',
    '-e', 'REGISTRY_COMPAT_SCHEMA1_ENABLED=true',
    p.registryImage,
  ];
}

function shellLines(args: string[]): string {
  // One option (and its value) per line, so the command reads like the documentation's.
  const words = args.map(shellQuote);
  const out = [words.slice(0, 3).join(' ')];
  for (let i = 3; i < words.length; ) {
    const w = words[i]!;
    if (w.startsWith('-') && i + 1 < words.length && !words[i + 1]!.startsWith('-') && w !== '-d' && w !== '--rm') {
      out.push(`${w} ${words[i + 1]}`);
      i += 2;
    } else {
      out.push(w);
      i += 1;
    }
  }
  return out.join(' \\\n  ');
}

export function podmanRunScript(p: NodeKitParams): string {
  return `#!/bin/sh\n# Starts the mirror registry once, in the background (see ${CONTAINER_NAME}.service to run it under systemd).\nset -e\n${shellLines(podmanRunArgs(p, true))}\n`;
}

function systemdQuote(word: string): string {
  return /[\s"'\\]/.test(word) ? `"${word.replace(/(["\\])/g, '\\$1')}"` : word;
}

export function systemdUnit(p: NodeKitParams): string {
  return `[Unit]
Description=Mirror registry for the disconnected OpenShift cluster (distribution on port ${p.port})
Wants=network-online.target
After=network-online.target

[Service]
Restart=on-failure
ExecStartPre=-/usr/bin/podman rm -f ${CONTAINER_NAME}
ExecStart=/usr/bin/${podmanRunArgs(p, false).map(systemdQuote).join(' ')}
ExecStop=/usr/bin/podman stop -t 10 ${CONTAINER_NAME}

[Install]
WantedBy=multi-user.target
`;
}

/** seed 001: open the registry port in the libvirt and public zones, permanently. */
export function firewallCommands(p: NodeKitParams): string[] {
  return [
    `sudo firewall-cmd --add-port=${p.port}/tcp --zone=libvirt --permanent`,
    `sudo firewall-cmd --add-port=${p.port}/tcp --zone=public --permanent`,
    'sudo firewall-cmd --reload',
  ];
}

/** seed 000: trust the CA on a host (the node, the bastion); plus containers' per-registry trust directory. */
export function trustCommands(p: NodeKitParams): string[] {
  const anchor = `/etc/pki/ca-trust/source/anchors/${p.caFileName}`;
  const cmds = [`sudo cp ca/${p.caFileName} ${anchor}`, 'sudo update-ca-trust'];
  for (const name of [p.host, ...p.ips]) {
    const dir = `/etc/containers/certs.d/${name}:${p.port}`;
    cmds.push(`sudo mkdir -p ${shellQuote(dir)} && sudo cp ca/${p.caFileName} ${shellQuote(`${dir}/ca.crt`)}`);
  }
  return cmds;
}

/** podman loads the carried archive under the name the transfer recorded; the unit runs it by digest. */
function loadCommand(p: NodeKitParams): string | undefined {
  return p.carried ? `sudo podman load -i ${shellQuote(p.carried.archive)}` : undefined;
}

function loadStep(p: NodeKitParams): string {
  const load = loadCommand(p);
  if (!load || !p.carried) {
    return `The image \`${p.registryImage}\` must already be on the node (\`podman load\`). To carry it with the release, mirror with
\`ferry mirror ... --with-registry\` and make this kit with \`ferry registry-kit --from-dir TRANSFER_DIR ...\`.`;
  }
  return `\`${p.carried.archive}\` holds ${p.carried.ref} for ${p.carried.platform} (manifest ${p.carried.digest}), copied out of
the transfer with every blob verified. Load it; the registry then runs exactly that image, by its image ID
\`${p.registryImage}\` (the sha256 of its configuration, which names every layer's content):

\`\`\`sh
${load}
\`\`\``;
}

export function script(comment: string, commands: string[]): string {
  return `#!/bin/sh\n# ${comment}\nset -e\n${commands.join('\n')}\n`;
}

export function readme(p: NodeKitParams, facts: { caFingerprint: string; notAfter: string }): string {
  const mirror = `${p.host}:${p.port}`;
  return `# Mirror registry kit for ${mirror}

Made by \`ferry registry-kit\`. Copy this directory to the registry node (seed 001: a RHEL host with podman)
and run the steps below as a user with sudo. The password is stored only as a bcrypt hash in
\`opt/registry/auth/htpasswd\`; private keys are mode 0600.

| file | what |
|---|---|
| \`opt/registry/certs/domain.crt\`, \`domain.key\` | server certificate (SANs: ${[p.host, ...p.ips].join(', ')}) followed by its CA; its key |
| \`opt/registry/auth/htpasswd\` | user \`${p.username}\`, bcrypt |
| \`opt/registry/data/\` | where the registry stores images |
| \`ca/${p.caFileName}\` | the CA to trust everywhere (SHA-256 ${facts.caFingerprint}, valid until ${facts.notAfter}) |
| \`ca/ca.key\` | the CA's private key: move it off the node and keep it offline; it signs new server certificates |
| \`etc/systemd/system/${CONTAINER_NAME}.service\` | runs the registry under systemd |
| \`scripts/*.sh\` | the commands below |

## 1. Install the files

\`\`\`sh
sudo mkdir -p ${REGISTRY_ROOT}
sudo cp -a opt/registry/. ${REGISTRY_ROOT}/
sudo chmod 0600 ${REGISTRY_ROOT}/certs/domain.key ${REGISTRY_ROOT}/auth/htpasswd
\`\`\`

## 2. Load the registry image

${loadStep(p)}

## 3. Run the registry

Either once (scripts/run-registry.sh):

\`\`\`sh
${shellLines(podmanRunArgs(p, true))}
\`\`\`

or under systemd:

\`\`\`sh
sudo cp etc/systemd/system/${CONTAINER_NAME}.service /etc/systemd/system/
sudo systemctl daemon-reload
sudo systemctl enable --now ${CONTAINER_NAME}.service
\`\`\`

## 4. Open the port (scripts/firewall.sh)

\`\`\`sh
${firewallCommands(p).join('\n')}
\`\`\`

## 5. Trust the CA (scripts/trust-ca.sh), on the node and on every host that pushes or pulls

\`\`\`sh
${trustCommands(p).join('\n')}
\`\`\`

## 6. Check it

\`\`\`sh
ferry ca check --registry ${mirror} --ca-file ca/${p.caFileName}
printf '%s' "$PASSWORD" | podman login --password-stdin -u ${p.username} ${mirror}
\`\`\`

## 7. Push the transfer into it

With the login of step 6 (podman keeps it in \`$XDG_RUNTIME_DIR/containers/auth.json\`, where Ferry looks), trusting
the signing key whose fingerprint the connected side printed (or \`--allow-unsigned\` for unsigned media):

\`\`\`sh
ferry push --from-dir ${p.carried ? shellQuote(p.carried.fromDir) : 'TRANSFER_DIR'} --to ${mirror}/ocp4 --ca-file ca/${p.caFileName} --trust 'FINGERPRINT'
\`\`\`

## 8. For the cluster

- install-config.yaml \`additionalTrustBundle\`: the content of \`ca/${p.caFileName}\`.
- After installation: \`ferry config ca-configmap --mirror ${mirror} --ca-file ca/${p.caFileName}\`.
- Pull secret: \`printf '%s' "$PASSWORD" | ferry pull-secret add pull-secret.json --registry ${mirror} --username ${p.username} --password-stdin\`.
`;
}
