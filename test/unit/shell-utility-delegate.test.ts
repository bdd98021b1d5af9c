// The utility-process spawner meets the core's DelegateChannel contract.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

class FakeChild extends EventEmitter {
  pid: number | undefined = undefined;
  postMessage = vi.fn();
  kill = vi.fn(() => true);
}

const electron = vi.hoisted(() => ({ utilityProcess: { fork: vi.fn() } }));
vi.mock('electron', () => electron);

const { spawnUtilityDelegate } = await import('../../src-main/shell/utility-delegate.js');

let child: FakeChild;

beforeEach(() => {
  child = new FakeChild();
  electron.utilityProcess.fork.mockReset().mockReturnValue(child);
});

const launch = { entry: '/app/resources/app.asar/dist/delegate/main.js', env: { PATH: '/usr/bin' }, args: ['--log-dir', '/data/logs'] };

describe('spawnUtilityDelegate', () => {
  it('forks the entry as a named utility process with the scrubbed environment', () => {
    spawnUtilityDelegate(launch);
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith(launch.entry, launch.args, {
      env: launch.env,
      serviceName: 'Strongroom Delegate',
      stdio: 'ignore',
    });
  });

  it('reports the pid once the process exists', () => {
    const channel = spawnUtilityDelegate(launch);
    expect(channel.pid).toBeUndefined();
    child.pid = 4242;
    expect(channel.pid).toBe(4242);
  });

  it('carries messages both ways', () => {
    const channel = spawnUtilityDelegate(launch);
    const received = vi.fn();
    channel.onMessage(received);
    channel.send('{"id":1}');
    expect(child.postMessage).toHaveBeenCalledWith('{"id":1}');
    child.emit('message', '{"id":1,"ok":true}');
    expect(received).toHaveBeenCalledWith('{"id":1,"ok":true}');
  });

  it('reports exit once and drops messages sent after it', () => {
    const channel = spawnUtilityDelegate(launch);
    const exited = vi.fn();
    channel.onExit(exited);
    child.emit('exit', 3);
    child.emit('exit', 3);
    expect(exited.mock.calls).toEqual([[3]]);
    channel.send('late');
    expect(child.postMessage).not.toHaveBeenCalled();
  });

  it('survives a fatal error event without throwing in main', () => {
    spawnUtilityDelegate(launch);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => child.emit('error', 'FatalError', 'v8::Isolate', '{"environmentVariables":{}}')).not.toThrow();
    expect(String(logged.mock.calls[0]?.[0])).not.toContain('environmentVariables');
  });

  it('kills the process', () => {
    spawnUtilityDelegate(launch).kill();
    expect(child.kill).toHaveBeenCalled();
  });
});
