import { useState } from 'react';
import { shortDigest } from '../format';
import { Button } from './Button';

/**
 * A digest as a person reads it: shortened (sha256:abcd…, the whole one on hover), never wrapped a character
 * per line, with a button that copies the whole digest for a search or a command line.
 */
export function Digest({ value, what }: { value: string; what: string }) {
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('Copied.');
    } catch {
      setStatus('The clipboard is not available here.');
    }
  };
  return (
    <span className="digest">
      <span className="mono" title={value}>
        {shortDigest(value)}
      </span>{' '}
      <Button small onClick={() => void copy()} aria-label={`Copy the ${what} digest ${shortDigest(value)}`}>
        Copy
      </Button>
      <span role="status" className="muted">
        {status}
      </span>
    </span>
  );
}
