import { describe, expect, it, vi } from 'vitest';
import { createRouter, type Handlers } from '../../src-main/ipc/router.js';
import { MAX_REQUEST_CHARS } from '../../src-shared/contract.js';
import { AppError, toAppError } from '../../src-main/core/app-error.js';

function routerWith(overrides: Partial<Handlers>) {
  const handlers = new Proxy(overrides as Handlers, {
    get: (target, key: string) => target[key as keyof Handlers] ?? (() => Promise.reject(new Error(`unexpected ${key}`))),
  });
  return createRouter(handlers, { toError: (error) => toAppError(error).toIpcError() });
}

describe('IPC router', () => {
  it('rejects an unknown channel without calling anything', async () => {
    const route = routerWith({});
    expect(await route('fs.readFile', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown request type.' } });
    expect(await route('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('rejects an oversized request before parsing it', async () => {
    const handler = vi.fn();
    const route = routerWith({ 'secrets.list': handler });
    const result = await route('secrets.list', { query: 'x'.repeat(MAX_REQUEST_CHARS + 1) });
    expect(result).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('reports each invalid field, never echoing the value', async () => {
    const handler = vi.fn();
    const route = routerWith({ 'secrets.create': handler });
    const result = await route('secrets.create', { name: 'bad name!', sealedValue: { enc: 'AAAA', ct: 'AAAA' }, extra: 'SENSITIVE-EXTRA' });
    expect(handler).not.toHaveBeenCalled();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_REQUEST');
    expect(result.error.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining(['name']));
    expect(JSON.stringify(result)).not.toContain('SENSITIVE-EXTRA');
    expect(JSON.stringify(result)).not.toContain('bad name!');
  });

  it('applies schema defaults and passes parsed data to the handler', async () => {
    const handler = vi.fn(async () => ({ total: 0, items: [] }));
    const route = routerWith({ 'secrets.list': handler });
    expect(await route('secrets.list', {})).toEqual({ ok: true, value: { total: 0, items: [] } });
    expect(handler).toHaveBeenCalledWith({ query: '', sort: 'name', direction: 'asc', limit: 100, offset: 0 });
  });

  it('turns typed failures into typed errors and hides unexpected ones', async () => {
    const route = routerWith({
      'vault.lock': async () => {
        throw new AppError('LOCKED', 'The store is locked.');
      },
      'vault.unlock': async () => {
        throw new Error('/home/admin/.secret stack detail');
      },
    });
    expect(await route('vault.lock', {})).toEqual({ ok: false, error: { code: 'LOCKED', message: 'The store is locked.' } });
    const hidden = await route('vault.unlock', { sealedPassphrase: { enc: 'AAAA', ct: 'AAAA' } });
    expect(hidden).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(hidden)).not.toContain('.secret');
  });

  it('rejects values that are not plain data', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await routerWith({})('secrets.list', cyclic)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });
});
