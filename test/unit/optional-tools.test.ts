import { describe, expect, it } from 'vitest';
import { missingToolMessage, optionalToolIds, toolProviding, toolsNeededBy } from '../../src-shared/optional-tools.js';

describe('optional tools', () => {
  it('names what each credential type needs, Kerberos WinRM only when it uses Kerberos', () => {
    expect(toolsNeededBy('ssh', { auth: 'key' })).toEqual([]);
    expect(toolsNeededBy('ssh-kerberos', {})).toEqual(['kerberos-client', 'openssh-client']);
    expect(toolsNeededBy('ssh-vault-certificate', {})).toEqual(['openssh-client']);
    expect(toolsNeededBy('winrm', { auth: 'ntlm' })).toEqual([]);
    expect(toolsNeededBy('winrm', { auth: 'kerberos' })).toEqual(['kerberos-client', 'kerberos-addon']);
  });

  it('maps each command the delegate runs to the tool that provides it', () => {
    expect(['ssh', 'ssh-keygen', 'kinit', 'klist', 'kvno'].map(toolProviding)).toEqual(['openssh-client', 'openssh-client', 'kerberos-client', 'kerberos-client', 'kerberos-client']);
    expect(toolProviding('node')).toBeNull();
  });

  it('every message names the package on all four platforms', () => {
    for (const id of optionalToolIds) expect(missingToolMessage(id)).toMatch(/Debian\/Ubuntu: .+; Fedora: .+; macOS: .+; Windows: .+\./);
    expect(missingToolMessage('kerberos-addon')).toMatch(/libkrb5-dev.*npm rebuild kerberos/);
  });
});
