/**
 * The secret list at 100,000 secrets, judged like the rest of the benchmark:
 * every figure beside a baseline measured in the same run, as a ratio.
 *
 * - the first page (100 secrets by name), every keystroke of a filter
 *   typed one character at a time, and a filter a quarter of the names match,
 *   each a `secrets.list` through the whole stack (a bridge client acting as
 *   the renderer → main → SQLite), against the COUNT and SELECT the service
 *   runs, on the same file, opened read-only in this process;
 * - the query plan of the name filter: is the trigram index used?
 *
 * Creating 100,000 secrets through the stack takes minutes here, so the store
 * is filled straight through SQLite with rows of the real shape; a list never
 * decrypts, so their ciphertexts are random bytes of a real payload's length.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { sealBindings, sealValues, secretMetadataSchemas, type SecretType } from '../../src-shared/contract.js';
import { listWhere } from '../../src-main/core/services/secret-list-query.js';
import { openDatabase } from '../../src-main/core/store/database.js';
import { DATABASE_FILE } from '../../src-main/core/paths.js';
// Types only: bench.ts is the entry point and runs when imported.
import type { BridgeClient, Row } from './bench.js';

const SECRETS = 100_000;
const PAGE = 100;
const TYPED = 'db-prod-1';
/** Every `*-prod-*` name: the trigram index's worst case is a filter most names share. */
const BROAD = 'prod';
const FIRST_PAGE_SAMPLES = 7;
const KEYSTROKE_SAMPLES = 5;
const SLOW_MS = 50;
const PASSPHRASE = 'list bench passphrase, long enough';
/** The two statements SecretsService.list runs for a page sorted by name (its SORT_COLUMNS.name), around listFilter's WHERE. */
const countSql = (where: string) => `SELECT COUNT(*) AS n FROM secrets s ${where}`;
const pageSql = (where: string) => `SELECT s.rowid, s.* FROM secrets s ${where} ORDER BY s.name COLLATE NOCASE ASC LIMIT ? OFFSET ?`;

const SERVICES = ['db', 'api', 'web', 'cache', 'queue', 'ldap', 'smtp', 'vpn', 'backup', 'ci'];
const ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'];

export interface ListBenchHarness {
  /** serve.js on a fresh data folder with a bridge client connected; stop() ends serve.js by its pid. */
  serve(dataDir: string): Promise<{ client: BridgeClient; stop(): Promise<void> }>;
  timed(work: () => Promise<unknown> | unknown): Promise<number>;
  median(samples: number[]): number;
}

export interface ListBenchReport {
  title: string;
  rows: Row[];
  /** Lines to print under the table: how the store was filled, the plans, what was slow. */
  notes: string[];
}

/** A row shape per type, its metadata passed through the type's own schema so it is what main would store. */
const shapes = (
  [
    ['ssh', { username: 'deploy', auth: 'key', port: 22 }, { keyType: 'ssh-ed25519', fingerprint: `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}` }, 440],
    ['file', { fileName: 'service.pem', mediaType: 'application/x-pem-file', size: 1800 }, { size: 1800 }, 2420],
    ['winrm', { domain: 'CORP', username: 'svc-deploy', auth: 'ntlm', useSsl: true }, {}, 40],
    ['text', {}, {}, 32],
  ] as const
).map(([type, metadata, facts, payloadBytes]) => ({
  type: type as SecretType,
  metadata: JSON.stringify(secretMetadataSchemas[type].parse(metadata)),
  facts: JSON.stringify(facts),
  payloadBytes,
}));

/** One secret in 23 each is ssh, file or winrm, the rest text; 23 is prime to the 40 name patterns, so every pattern gets every type. */
function shapeOf(i: number) {
  return shapes[Math.min(i % 23, shapes.length - 1)]!;
}

/** `db-prod-0` … `ci-test-2499`: every service × environment has 2,500 numbered secrets. */
function nameOf(i: number): string {
  return `${SERVICES[i % SERVICES.length]}-${ENVIRONMENTS[Math.floor(i / SERVICES.length) % ENVIRONMENTS.length]}-${Math.floor(i / (SERVICES.length * ENVIRONMENTS.length))}`;
}

/** One transaction, as a restore writes; one secret in seven is scoped to one environment. */
function populate(dataDir: string, scope: { applicationId: string; environmentId: string }): number {
  const db = openDatabase(dataDir);
  try {
    const insertSecret = db.prepare(
      `INSERT INTO secrets (id, name, description, type, metadata, manager_id, current_version, scoped, scope_to_account, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'local', 1, ?, 0, ?, ?)`,
    );
    const insertVersion = db.prepare(
      "INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, facts) VALUES (?, 1, ?, ?, 1, ?, 'bridge', ?)",
    );
    const insertScope = db.prepare("INSERT INTO scope_entries (owner_kind, owner_id, application_id, environment_id, environment_type) VALUES ('secret', ?, ?, ?, NULL)");
    const start = performance.now();
    const firstDay = Date.now() - 365 * 24 * 3600 * 1000;
    db.transaction(() => {
      for (let i = 0; i < SECRETS; i++) {
        const id = randomUUID();
        const shape = shapeOf(i);
        const at = new Date(firstDay + i * 300_000).toISOString();
        const scoped = i % 7 === 0;
        insertSecret.run(id, nameOf(i), i % 3 === 0 ? 'Rotated quarterly by the platform team' : null, shape.type, shape.metadata, scoped ? 1 : 0, at, at);
        // The blob layout of docs/format.md: 0x01, 12-byte nonce, ciphertext, 16-byte tag; a data key is 32 bytes.
        insertVersion.run(id, randomBytes(29 + shape.payloadBytes).toString('base64'), randomBytes(29 + 32).toString('base64'), at, shape.facts);
        if (scoped) insertScope.run(id, scope.applicationId, scope.environmentId);
      }
    }).immediate();
    return performance.now() - start;
  } finally {
    db.close();
  }
}

const millis = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

export async function runListBench(dataDir: string, harness: ListBenchHarness): Promise<ListBenchReport> {
  const { client, stop } = await harness.serve(dataDir);
  let bare: BetterSqlite3.Database | undefined;
  try {
    const { delegatePublicKey } = await client.call('app.status', {});
    await client.call('vault.create', { sealedPassphrase: await sealValues(delegatePublicKey!, sealBindings.vaultCreate(), [PASSPHRASE]) });
    const app = await client.call('apps.create', { name: 'billing' });
    const env = await client.call('envs.create', { applicationId: app.id, name: 'production', type: 'production' });
    const populateMs = populate(dataDir, { applicationId: app.id, environmentId: env.id });

    bare = new BetterSqlite3(join(dataDir, DATABASE_FILE), { readonly: true });
    const db = bare;
    const barePage = (query: string) => {
      const { where, params } = listWhere(db, { query });
      const { n } = db.prepare(countSql(where)).get(...params) as { n: number };
      const rows = db.prepare(pageSql(where)).all(...params, PAGE, 0) as { id: string }[];
      return { total: n, ids: rows.map((row) => row.id) };
    };
    const stackPage = async (query: string) => {
      const { total, items } = await client.call('secrets.list', { query, sort: 'name', direction: 'asc', limit: PAGE, offset: 0 });
      return { total, ids: items.map((item) => item.id) };
    };

    const keystrokes = Array.from(TYPED, (_, i) => TYPED.slice(0, i + 1));
    // Both sides must answer alike before either is timed; this pass also warms SQLite's page cache.
    const totals = new Map<string, number>();
    for (const query of ['', ...keystrokes, BROAD]) {
      const stack = await stackPage(query);
      const base = barePage(query);
      if (stack.total !== base.total || stack.ids.join() !== base.ids.join()) throw new Error(`secrets.list "${query}" and the bare query disagree`);
      totals.set(query, base.total);
    }
    if (totals.get('') !== SECRETS) throw new Error(`the store holds ${totals.get('')} secrets, expected ${SECRETS}`);

    // Interleaved, so a slow spell on the machine lands on both sides of a ratio.
    const first = { stack: [] as number[], bare: [] as number[] };
    for (let i = 0; i < FIRST_PAGE_SAMPLES; i++) {
      first.stack.push(await harness.timed(() => stackPage('')));
      first.bare.push(await harness.timed(() => barePage('')));
    }
    const typed = new Map([...keystrokes, BROAD].map((query) => [query, { stack: [] as number[], bare: [] as number[] }]));
    for (let rep = 0; rep < KEYSTROKE_SAMPLES; rep++) {
      for (const query of typed.keys()) {
        typed.get(query)!.stack.push(await harness.timed(() => stackPage(query)));
        typed.get(query)!.bare.push(await harness.timed(() => barePage(query)));
      }
    }

    const rows: Row[] = [];
    const slow: string[] = [];
    const row = (measure: string, samples: { stack: number[]; bare: number[] }, note: string) => {
      const stackMs = harness.median(samples.stack);
      const bareMs = harness.median(samples.bare);
      if (stackMs > SLOW_MS || bareMs > SLOW_MS) slow.push(`${measure} (stack ${millis(stackMs)}, bare SQLite ${millis(bareMs)})`);
      rows.push({ measure, stack: millis(stackMs), baseline: millis(bareMs), ratio: `${(stackMs / bareMs).toFixed(1)}x`, note });
    };
    row(`first page: ${PAGE} of ${SECRETS.toLocaleString('en-US')} by name`, first, 'baseline: the same COUNT + SELECT, read-only, no IPC');
    const matches = (query: string) =>
      `${totals.get(query)!.toLocaleString('en-US')} matches; ${listWhere(db, { query }).where.includes('secrets_name_search') ? 'trigram index' : 'instr() on every name'}`;
    for (const query of keystrokes) row(`keystroke "${query}"`, typed.get(query)!, matches(query));
    const pooled = keystrokes.map((query) => typed.get(query)!);
    row(`every keystroke of "${TYPED}"`, { stack: pooled.flatMap((s) => s.stack), bare: pooled.flatMap((s) => s.bare) }, `all ${keystrokes.length} queries pooled`);
    row(`broad filter "${BROAD}"`, typed.get(BROAD)!, matches(BROAD));

    const { where, params } = listWhere(db, { query: TYPED });
    const plan = (sql: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((step) => step.detail);
    const pagePlan = plan(pageSql(where), ...params, PAGE, 0);
    const countPlan = plan(countSql(where), ...params);
    // FTS5 names the constraints it consumes after the colon; L is a LIKE it answers from the trigram index.
    const usesTrigrams = (steps: string[]) => steps.some((step) => /secrets_name_search VIRTUAL TABLE INDEX \d+:\S*L/.test(step));

    return {
      title: `Secret list at ${SECRETS.toLocaleString('en-US')} secrets, the stack against the same SQL on the same file; medians of ${FIRST_PAGE_SAMPLES} (first page) and ${KEYSTROKE_SAMPLES} (each filter), warm`,
      rows,
      notes: [
        `Store: ${SECRETS.toLocaleString('en-US')} secrets written straight into SQLite in ${(populateMs / 1000).toFixed(1)} s, not through the stack (the list speed does not depend on how rows were written): real row shape (text, ssh, file, winrm with metadata and facts; 1 version each; 1 in 7 scoped), random ciphertext of real length.`,
        `Plan of the "${TYPED}" page:  ${pagePlan.join('; ')}`,
        `Plan of the "${TYPED}" count: ${countPlan.join('; ')}`,
        `Trigram index used: ${usesTrigrams(pagePlan) ? 'yes' : 'NO'} by the page, ${usesTrigrams(countPlan) ? 'yes' : 'NO'} by the count.`,
        `Over ${SLOW_MS} ms: ${slow.length ? slow.join('; ') : 'none'}.`,
      ],
    };
  } finally {
    bare?.close();
    await stop();
  }
}
