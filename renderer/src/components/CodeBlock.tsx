import { useState } from 'react';
import { Button } from './Button';
import { saveText } from '../save';
import { ShowInFolder } from './ShowInFolder';

/** Generated text (YAML, commands) with Copy and Save; the status line tells screen readers what happened. `secret` saves it 0600. */
export function CodeBlock({ name, fileName, text, secret = false }: { name: string; fileName: string; text: string; secret?: boolean }) {
  const [status, setStatus] = useState('');
  const [savedPath, setSavedPath] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus('Copied to the clipboard.');
    } catch {
      setStatus('The clipboard is not available here; use Save instead.');
    }
  };
  const save = async () => {
    const saved = await saveText(fileName, text, secret);
    setStatus(saved.message);
    setSavedPath(saved.path);
  };
  return (
    <figure className="code" aria-label={name}>
      <header>
        <figcaption className="name">{name}</figcaption>
        <span className="actions" style={{ marginTop: 0 }}>
          <span role="status" className="muted">
            {status}
          </span>
          {savedPath ? <ShowInFolder path={savedPath} what={`the saved ${name}`} /> : null}
          <Button small onClick={() => void copy()} aria-label={`Copy ${name}`}>
            Copy
          </Button>
          <Button small onClick={() => void save()} aria-label={`Save ${name} as ${fileName}`}>
            Save
          </Button>
        </span>
      </header>
      <pre tabIndex={0} aria-label={name}>
        <code>{text}</code>
      </pre>
    </figure>
  );
}
