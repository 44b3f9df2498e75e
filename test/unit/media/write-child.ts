/**
 * Child process for the crash tests: writes the fixture content into argv[2] (resuming if a journal is
 * there), and when it reaches byte argv[4] of blob number argv[3] it prints STALLED and waits forever,
 * so the parent can SIGKILL it mid-blob.
 */
import { TransferWriter } from '../../../electron/engine/media/writer';
import { chunked, fixtureContent } from './fixtures';

const [dir, blobIndex, atByte, volumeSize] = process.argv.slice(2);
const content = fixtureContent();
const writer = await TransferWriter.open(dir!, { volumeSize: Number(volumeSize), resume: true });

async function* stalling(data: Buffer): AsyncGenerator<Buffer> {
  let sent = 0;
  for await (const c of chunked(data)) {
    if (sent + c.length > Number(atByte)) {
      yield c.subarray(0, Number(atByte) - sent);
      process.stdout.write('STALLED\n');
      // A pending promise alone does not keep Node alive (the child would exit 13 before the kill lands): a timer does.
      await new Promise(() => setInterval(() => undefined, 60_000));
    }
    sent += c.length;
    yield c;
  }
}

for (const [i, b] of content.blobs.entries()) {
  if (!writer.has(b.digest)) await writer.addBlob(b, i === Number(blobIndex) ? stalling(b.data) : chunked(b.data));
}
