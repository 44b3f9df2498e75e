import { useCallback, useState } from 'react';
import { getApi, useAppInfo, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { PathField } from '../../components/PathField';
import { shortDigest } from '../../format';
import { importStore, withDone } from '../../journeys';
import { navigate } from '../../router';
import { describeSecretStore } from '../../secret-store';
import { useStore } from '../../store';
import { useAction } from '../../use-action';

const NAMESPACE = 'ocp4';

/**
 * A site with no registry yet: the kit for the registry node (seed 001), made from these media when
 * they carry the registry image. The password goes once to the secret store; the kit gets it by
 * name. Its CA and location then become the target registry's, so the next step only tests.
 */
export function NodeStep() {
  const state = useStore(importStore);
  const { info } = useAppInfo();
  const unavailable = useUnavailable('kit.registry');
  const [host, setHost] = useState('');
  const [ips, setIps] = useState('');
  const [port, setPort] = useState('5000');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [to, setTo] = useState('');
  const kitFn = useCallback(async () => {
    const registry = `${host.trim()}:${Number(port)}`;
    const saved = await getApi().secrets.save({ name: `registry:${registry}`, kind: 'registry-password', value: password, registry, username: username.trim() });
    setPassword('');
    // The operator typed these folders: confirm them as this session's, for the kit and the media.
    await getApi().fs.allow({ path: to.trim(), access: 'write' });
    if (state.dir.trim()) await getApi().fs.allow({ path: state.dir.trim(), access: 'read' });
    const kit = await getApi().kit.registry({
      ...(state.dir.trim() ? { fromDir: state.dir.trim() } : {}),
      host: host.trim(),
      ips: ips.split(/[\s,]+/).filter(Boolean),
      port: Number(port),
      username: username.trim(),
      passwordRef: saved.name,
      to: to.trim(),
    });
    return { kit, registry, credentialRef: saved.name };
  }, [state.dir, host, ips, port, username, password, to]);
  const [write, written] = useAction(kitFn);
  const result = written.result;
  const useAsTarget = () => {
    if (!result) return;
    importStore.update((s) => ({
      mirror: `${result.registry}/${NAMESPACE}`,
      username: username.trim(),
      credentialRef: result.credentialRef,
      ca: { fingerprintSha256: result.kit.caFingerprintSha256, subject: `Ferry mirror registry CA for ${host.trim()}`, pem: result.kit.caPem },
      connectionOk: undefined,
      done: withDone(s.done, 'node'),
    }));
    navigate({ screen: 'import', step: 'target' });
  };
  const portError = /^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535 ? undefined : 'A TCP port, 1–65535.';
  return (
    <>
      <Card title="A registry node for this site (optional)" subtitle="Skip this step if the site already runs a mirror registry.">
        <p>
          Ferry writes the kit the registry node needs: a CA and server certificate, the htpasswd file, the podman command and systemd unit, and a
          README that walks through load, start, firewall, trust and push. When these media carry the mirror registry (chosen on the connected
          side), its image goes into the kit too, verified, and the node runs exactly that image.
        </p>
        <div className="row">
          <Field label="Registry node name" help="The DNS name clients use; it goes into the certificate.">
            <input type="text" value={host} onChange={(e) => setHost(e.target.value)} spellCheck={false} autoComplete="off" />
          </Field>
          <Field label="Node IP addresses (optional)" help="Comma-separated; they go into the certificate too.">
            <input type="text" value={ips} onChange={(e) => setIps(e.target.value)} spellCheck={false} autoComplete="off" />
          </Field>
          <Field label="Port" error={portError}>
            <input type="text" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          </Field>
        </div>
        <div className="row">
          <Field label="Registry username">
            <input type="text" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
          </Field>
          <Field label="Registry password" help={info ? `Stored only as a bcrypt hash in the kit; saved in ${describeSecretStore(info.secretStore)} for the push.` : undefined}>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        <PathField label="Kit directory" help="A new or empty directory; copy it to the registry node." kind="directory" value={to} onChange={setTo} />
        <div className="actions">
          <Button variant="primary" onClick={() => void write()} disabled={!host.trim() || !username.trim() || !password || !to.trim() || !!portError || !!unavailable} busy={written.busy}>
            Write the kit
          </Button>
        </div>
        {unavailable ? <NotAvailable what={unavailable} /> : null}
        <ActionError error={written.error} />
      </Card>
      {result ? (
        <Card title="Kit written">
          <Callout tone="ok" title={`The kit for ${result.registry} is in ${result.kit.dir}.`}>
            <p>
              CA fingerprint (SHA-256): <span className="mono">{result.kit.caFingerprintSha256}</span>
            </p>
            {result.kit.registryImage ? (
              <p>
                {`Registry image ${result.kit.registryImage.ref} (${shortDigest(result.kit.registryImage.digest)}) from the media, in `}
                <span className="mono">{result.kit.registryImage.archivePath}</span>
                {`; the node runs it as image ID ${result.kit.registryImage.imageId.slice(0, 12)}.`}
              </p>
            ) : (
              <p>These media do not carry the registry image: load one on the node before starting it (the kit’s README says how).</p>
            )}
          </Callout>
          <ul className="mono">
            {result.kit.files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          <p>Follow README.md in the kit on the node; once the registry runs, test the connection in the next step.</p>
          <div className="actions">
            <Button variant="primary" onClick={useAsTarget}>
              {`Use ${result.registry}/${NAMESPACE} as the target registry`}
            </Button>
          </div>
        </Card>
      ) : null}
    </>
  );
}
