/**
 * Files in and out of the window. Saving asks the user where: the File
 * System Access save picker when there is one (Chromium, Electron), else a
 * download from a blob URL that is revoked at once. Nothing is written to a
 * temporary file or kept after the call.
 */
import { checkFileSize } from '../lib/typed-secret.js';

declare global {
  /** The File System Access save picker: Chromium and Electron have it, TypeScript's DOM library does not. */
  interface Window {
    showSaveFilePicker?: (options: { suggestedName: string }) => Promise<{
      createWritable(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void> }>;
    }>;
  }
}

/** Resolves false when the user cancelled the picker. */
export async function saveFile(fileName: string, blob: Blob): Promise<boolean> {
  const picker = window.showSaveFilePicker;
  if (typeof picker === 'function') {
    try {
      const handle = await picker.call(window, { suggestedName: fileName });
      const writable = await handle.createWritable();
      await writable.write(blob);
      await writable.close();
      return true;
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return false;
      // A picker the platform refuses (a denied permission): fall back to a download.
    }
  }
  const url = URL.createObjectURL(blob);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click has started the download with its own reference; the URL is not needed after it.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
  return true;
}

/** Reads a chosen file's bytes, refusing one over the limit before reading it. */
export async function readFileBytes(file: File): Promise<Uint8Array> {
  const tooLarge = checkFileSize(file.size);
  if (tooLarge) throw new Error(tooLarge);
  return new Uint8Array(await file.arrayBuffer());
}

/** Reads a small text file (a key, a .env or CSV file, a backup). */
export async function readFileText(file: File, maxBytes: number): Promise<string> {
  if (file.size > maxBytes) throw new Error(`This file is too large (${file.size.toLocaleString('en')} bytes).`);
  return file.text();
}
