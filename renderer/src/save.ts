/**
 * Saves generated text as a file through the browser's download path, which works the same in serve
 * mode and in the Electron window (main decides where downloads go). Returns a line for the status area.
 */
export async function saveText(fileName: string, text: string): Promise<string> {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    return `Saved as ${fileName}.`;
  } finally {
    // Revoke after the click has been handled; the download keeps its own reference.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
