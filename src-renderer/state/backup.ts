/** Encrypted backups and .env/CSV import. Passphrases and values are sealed before they leave the window. */
import { sealBindings, sealValues, type ImportedSecret, type RestoreReport } from '../../src-shared/contract.js';
import { parseImportFile } from '../../src-shared/import-formats.js';
import { call } from '../api/call.js';
import { CHECK_NAMES_CHUNK, buildPreview, chunk, importBatches, type ImportPreview } from '../lib/import-preview.js';
import { reloadCatalog } from './catalog.js';
import { saveFile } from './files.js';
import { refreshList } from './secrets.js';
import { delegateKey } from './session.js';

/**
 * Exports the whole store and lets the user save it; resolves with what was saved, or null if the user
 * cancelled saving. `operationId` tags its progress events; a stopped export throws CANCELLED and saves nothing.
 */
export async function exportBackup(passphrase: string, operationId?: string): Promise<{ fileName: string; secrets: number } | null> {
  const sealedPassphrase = await sealValues(await delegateKey(), sealBindings.backupExport(), [passphrase]);
  const { fileName, content, secrets } = await call('backup.export', { sealedPassphrase, ...(operationId ? { operationId } : {}) });
  const saved = await saveFile(fileName, new Blob([content], { type: 'application/octet-stream' }));
  return saved ? { fileName, secrets } : null;
}

/** Restore is offered only into a store with no secrets and no applications. */
export async function storeIsEmpty(): Promise<boolean> {
  const [secrets, apps] = await Promise.all([call('secrets.list', { limit: 1 }), call('apps.list', {})]);
  return secrets.total === 0 && apps.items.length === 0;
}

export async function restoreBackup(content: string, passphrase: string, operationId?: string): Promise<RestoreReport> {
  const sealedPassphrase = await sealValues(await delegateKey(), sealBindings.backupRestore(), [passphrase]);
  const report = await call('backup.restore', { sealedPassphrase, content, ...(operationId ? { operationId } : {}) });
  refreshList();
  void reloadCatalog().catch(() => {});
  return report;
}

/** Parses an import file and asks main which names are taken, before anything is written. */
export async function previewImport(fileName: string, text: string): Promise<{ preview: ImportPreview; items: ImportedSecret[] }> {
  const parsed = parseImportFile(fileName, text);
  const taken: string[] = [];
  for (const names of chunk(parsed.items.map((item) => item.name), CHECK_NAMES_CHUNK)) {
    taken.push(...(await call('secrets.checkNames', { names })).taken);
  }
  return { preview: buildPreview(parsed, taken), items: parsed.items };
}

/** Imports in sealed batches; `onProgress` hears how many are in after each batch. */
/**
 * Imports in batches, each one transaction; `stopRequested` is asked between
 * batches, so a stop never leaves a batch half written. Resolves with how
 * many were imported.
 */
export async function importSecrets(items: ImportedSecret[], onProgress: (done: number) => void, stopRequested: () => boolean = () => false): Promise<number> {
  let done = 0;
  try {
    for (const batch of importBatches(items)) {
      if (stopRequested()) break;
      const names = batch.map((item) => item.name);
      const sealedValues = await sealValues(await delegateKey(), sealBindings.secretCreate(names), batch.map((item) => item.value));
      await call('secrets.createMany', {
        items: batch.map((item) => ({ name: item.name, ...(item.description ? { description: item.description } : {}) })),
        sealedValues,
      });
      done += batch.length;
      onProgress(done);
    }
  } finally {
    refreshList();
  }
  return done;
}
