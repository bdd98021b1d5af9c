/**
 * What a feature needs beyond Node and the npm install, described once: the
 * delegate names the package to install in a connection test's
 * `MISSING_TOOL` error, the credential form warns before a test is tried,
 * and the README lists the same packages per platform.
 */
import { z } from 'zod';

export const optionalToolIds = ['kerberos-addon', 'kerberos-client', 'openssh-client'] as const;
export type OptionalToolId = (typeof optionalToolIds)[number];

export interface OptionalTool {
  /** What is missing, as the user would search for it. */
  name: string;
  neededFor: string;
  /** Executables that must all be on PATH; empty for the addon, which is probed by loading it. */
  commands: readonly string[];
  install: { debian: string; fedora: string; macos: string; windows: string };
}

export const optionalTools: Record<OptionalToolId, OptionalTool> = {
  'kerberos-addon': {
    name: 'the kerberos Node addon',
    neededFor: 'WinRM with Kerberos',
    commands: [],
    install: {
      debian: 'apt-get install libkrb5-dev, then npm rebuild kerberos',
      fedora: 'dnf install krb5-devel, then npm rebuild kerberos',
      macos: 'xcode-select --install, then npm rebuild kerberos',
      windows: 'Visual Studio Build Tools (C++), then npm rebuild kerberos',
    },
  },
  'kerberos-client': {
    name: 'the Kerberos client tools (kinit, klist, kvno)',
    neededFor: 'SSH via Kerberos and WinRM with Kerberos',
    commands: ['kinit', 'klist', 'kvno'],
    install: {
      debian: 'apt-get install krb5-user',
      fedora: 'dnf install krb5-workstation',
      macos: 'brew install krb5, with its bin folder first on PATH',
      windows: 'MIT Kerberos for Windows',
    },
  },
  'openssh-client': {
    name: 'the OpenSSH client (ssh, ssh-keygen)',
    neededFor: 'Vault-signed SSH certificates and SSH via Kerberos',
    commands: ['ssh', 'ssh-keygen'],
    install: {
      debian: 'apt-get install openssh-client',
      fedora: 'dnf install openssh-clients',
      macos: 'included with macOS',
      windows: 'Settings > Optional features > OpenSSH Client',
    },
  },
};

/** Which optional tool provides a command the delegate runs. */
export function toolProviding(command: string): OptionalToolId | null {
  return optionalToolIds.find((id) => optionalTools[id].commands.includes(command)) ?? null;
}

/** One line naming the package on every platform. */
export function installHint(id: OptionalToolId): string {
  const { install } = optionalTools[id];
  return `Debian/Ubuntu: ${install.debian}; Fedora: ${install.fedora}; macOS: ${install.macos}; Windows: ${install.windows}.`;
}

export function missingToolMessage(id: OptionalToolId): string {
  const tool = optionalTools[id];
  return `${tool.neededFor} needs ${tool.name}, which is not installed here. ${installHint(id)}`;
}

/** The tools a connection test of this credential will run, from the type and its metadata. */
export function toolsNeededBy(type: string, metadata: Record<string, unknown>): OptionalToolId[] {
  switch (type) {
    case 'ssh-kerberos':
      return ['kerberos-client', 'openssh-client'];
    case 'ssh-vault-certificate':
      return ['openssh-client'];
    case 'winrm':
      return metadata.auth === 'kerberos' ? ['kerberos-client', 'kerberos-addon'] : [];
    default:
      return [];
  }
}

/** What the delegate found present, by tool. */
export const optionalToolPresenceSchema = z.strictObject(
  Object.fromEntries(optionalToolIds.map((id) => [id, z.boolean()])) as Record<OptionalToolId, z.ZodBoolean>,
);
export type OptionalToolPresence = z.infer<typeof optionalToolPresenceSchema>;
