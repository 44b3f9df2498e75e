import { getApi, loadAppInfo } from './api';

/**
 * Saves generated text as a file: the desktop app asks main for a native save dialog (fs.saveText);
 * in a browser the download path does the same job. Returns a line for the status area, and the path
 * written on the desktop (to show in its folder). A secret is written 0600 by main (a browser download
 * has no mode to give).
 */
export async function saveText(fileName: string, text: string, secret = false): Promise<{ message: string; path?: string }> {
  const info = await loadAppInfo().catch(() => undefined);
  if (info?.mode === 'electron') {
    try {
      const { path } = await getApi().fs.saveText({ text, defaultName: fileName, secret });
      return path ? { message: `Saved to ${path}.`, path } : { message: 'Not saved.' };
    } catch (e) {
      return { message: `Not saved: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    return { message: `Downloaded as ${fileName}.` };
  } finally {
    // Revoke after the click has been handled; the download keeps its own reference.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
