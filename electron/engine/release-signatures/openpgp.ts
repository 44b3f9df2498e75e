import type * as OpenPgp from 'openpgp';

/**
 * openpgp.js, loaded when a keyring or signature is first read rather than when a command starts: it took about
 * 55 ms of compile and evaluation off the start of every `ferry mirror`, before its first request. A release's
 * signatures are read beside the plan of its components, so over a WAN the load now happens while the plan's
 * round trips are in flight.
 */
let loading: Promise<typeof OpenPgp> | undefined;

export function openpgp(): Promise<typeof OpenPgp> {
  return (loading ??= import('openpgp'));
}
