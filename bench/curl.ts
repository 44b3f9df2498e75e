// The source's bearer token for pulling both release repositories, from the harness issuer (as quay.io
// hands one out): what a curl baseline sends, since curl does not do the token dance itself.
import { COMPONENT_REPOSITORY, RELEASE_REPOSITORY } from '../test/support/release';
import type { TestWorld } from '../test/support/world';
import { exec } from './runs';

export async function sourceToken(world: TestWorld): Promise<string> {
  const url = new URL(world.source.realm);
  url.searchParams.set('service', world.source.service);
  url.searchParams.append('scope', `repository:${RELEASE_REPOSITORY}:pull`);
  url.searchParams.append('scope', `repository:${COMPONENT_REPOSITORY}:pull`);
  const out = await exec('curl', ['-sS', '--fail', '--cacert', world.ca.certPath, '-u', `${world.source.username}:${world.source.password}`, url.href]);
  const json = JSON.parse(out) as { token?: string; access_token?: string };
  const token = json.token ?? json.access_token;
  if (!token) throw new Error('the token issuer gave no token');
  return token;
}
