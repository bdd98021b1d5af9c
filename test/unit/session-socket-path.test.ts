/**
 * Where a session listens, per platform. The Windows named pipe is checked by
 * its name only: no Windows machine runs these tests, so the agent has never
 * served a pipe here.
 */
import { describe, expect, it } from 'vitest';
import { sessionSocketPath } from '../../src-main/core/session/session-protocol.js';

describe('sessionSocketPath', () => {
  it('is session.sock inside the data folder on Linux and macOS', () => {
    expect(sessionSocketPath('/home/ann/.config/Strongroom', 'linux')).toBe('/home/ann/.config/Strongroom/session.sock');
    expect(sessionSocketPath('/Users/ann/Library/Application Support/Strongroom', 'darwin')).toBe('/Users/ann/Library/Application Support/Strongroom/session.sock');
  });

  it('is a named pipe per data folder on Windows, the same however the path is spelled', () => {
    const pipe = sessionSocketPath('C:\\Users\\Ann\\AppData\\Roaming\\Strongroom', 'win32');
    expect(pipe).toMatch(/^\\\\\.\\pipe\\strongroom-[0-9a-f]{32}$/);
    expect(sessionSocketPath('c:\\users\\ann\\appdata\\roaming\\strongroom\\', 'win32')).toBe(pipe);
    expect(sessionSocketPath('C:/Users/Ann/AppData/Roaming/Strongroom', 'win32')).toBe(pipe);
    expect(sessionSocketPath('C:\\Users\\Bob\\AppData\\Roaming\\Strongroom', 'win32')).not.toBe(pipe);
  });
});
