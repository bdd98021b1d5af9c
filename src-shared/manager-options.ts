/**
 * What `managers.fetchOptions` found, as rows: the form offers the choosable
 * ones (setting the fields each names), the CLI prints every one. One entry
 * per shape the delegate answers with; the compiler checks that each has one.
 */
import type { ManagerOptions } from './contract.js';

export interface OptionChoice {
  label: string;
  detail: string;
  /** The form field values (by dotted configuration path) that choosing it sets. */
  patch: Record<string, string>;
  /** Whether the form offers it (Vault: KV mounts only). */
  choosable: boolean;
  /** The columns `strongroom manager options` prints. */
  columns: string[];
}

type Shape<Kind extends ManagerOptions['kind']> = Extract<ManagerOptions, { kind: Kind }>;

const rowsByShape: { [Kind in ManagerOptions['kind']]: (options: Shape<Kind>) => OptionChoice[] } = {
  vault: (options) =>
    options.mounts.map((mount): OptionChoice => {
      const path = mount.path.replace(/\/+$/, '');
      const patch: Record<string, string> = { 'engine.mount': path };
      // A KV mount of unknown version keeps the version chosen.
      if (mount.version !== null) patch['engine.version'] = String(mount.version);
      return {
        label: path,
        detail: [mount.version !== null ? `KV v${mount.version}` : 'KV', mount.description].filter(Boolean).join(' · '),
        patch,
        choosable: mount.type === 'kv' || mount.type === 'generic',
        columns: [mount.path, `${mount.type}${mount.version ? ` v${mount.version}` : ''}`, mount.description],
      };
    }),
  'azure-key-vault': (options) =>
    options.vaults.map((vault) => ({
      label: vault.name,
      detail: [vault.resourceGroup, vault.location].filter(Boolean).join(' · '),
      patch: { vaultName: vault.name },
      choosable: true,
      columns: [vault.name, vault.resourceGroup ?? '-', vault.location ?? '-'],
    })),
};

export function optionChoices(options: ManagerOptions): OptionChoice[] {
  return (rowsByShape[options.kind] as (options: ManagerOptions) => OptionChoice[])(options);
}
