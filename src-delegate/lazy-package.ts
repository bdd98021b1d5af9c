/**
 * A package loaded on first use instead of at the delegate's start. The cloud
 * SDKs and ssh2 take most of a second to load on a busy machine, and a command
 * that reveals one local secret needs none of them. Each is CommonJS, so it
 * loads synchronously where it is first needed and the code using it keeps
 * its shape.
 */
import { createRequire } from 'node:module';

const requirePackage = createRequire(import.meta.url);

export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requirePackage(name) as T);
}
