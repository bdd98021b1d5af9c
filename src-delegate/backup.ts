/**
 * Encrypted backups. A backup is a text file of lines: a JSON header (format,
 * version, scrypt parameters and a check blob), then one line per chunk of
 * records, then an end line carrying the chunk count. Every line after the
 * header is an AES-256-GCM blob under a key derived from the export
 * passphrase, with the chunk's index in its AAD, so reordered, dropped or
 * truncated chunks fail. Plaintext exists only inside the delegate.
 */
import { randomBytes } from 'node:crypto';
import type { BackupHeader, SecretAddress } from '../src-shared/delegate-protocol.js';
import { DEFAULT_KDF, deriveKek } from './keyring.js';
import { AeadError, open, seal } from './aead.js';

const CHECK_TEXT = Buffer.from('strongroom backup v1', 'utf8');
const checkAad = Buffer.from('strongroom/backup/check/v1', 'utf8');
const chunkAad = (index: number) => Buffer.from(`strongroom/backup/chunk/v1\0${index}`, 'utf8');
const endAad = Buffer.from('strongroom/backup/end/v1', 'utf8');

export class WrongBackupPassphraseError extends Error {}
export class DamagedBackupError extends Error {}

export interface BackupVersionPlain {
  address: SecretAddress;
  payload: string;
  meta: Record<string, unknown>;
}

export interface BackupRecordPlain {
  meta: Record<string, unknown>;
  versions: BackupVersionPlain[];
}

/** An export or restore in progress: the derived key and the next chunk index. */
export class BackupSession {
  private nextIndex = 0;

  private constructor(
    private key: Buffer,
    readonly header: BackupHeader,
  ) {}

  static async forExport(passphrase: string): Promise<BackupSession> {
    const kdf = { ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    const key = await deriveKek(passphrase, kdf);
    const header: BackupHeader = {
      format: 'strongroom-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      kdf,
      check: seal(key, CHECK_TEXT, checkAad).toString('base64'),
    };
    return new BackupSession(key, header);
  }

  static async forRestore(passphrase: string, header: BackupHeader): Promise<BackupSession> {
    const key = await deriveKek(passphrase, header.kdf);
    try {
      open(key, Buffer.from(header.check, 'base64'), checkAad);
    } catch {
      key.fill(0);
      throw new WrongBackupPassphraseError('Wrong passphrase for this backup.');
    }
    return new BackupSession(key, header);
  }

  sealChunk(index: number, records: BackupRecordPlain[]): string {
    this.expect(index);
    return seal(this.key, Buffer.from(JSON.stringify(records), 'utf8'), chunkAad(index)).toString('base64');
  }

  sealEnd(chunks: number): string {
    this.expect(chunks);
    return seal(this.key, Buffer.from(JSON.stringify({ chunks }), 'utf8'), endAad).toString('base64');
  }

  openChunk(index: number, line: string): BackupRecordPlain[] {
    this.expect(index);
    try {
      return JSON.parse(open(this.key, Buffer.from(line, 'base64'), chunkAad(index)).toString('utf8')) as BackupRecordPlain[];
    } catch (error) {
      if (error instanceof AeadError || error instanceof SyntaxError) throw new DamagedBackupError(`Chunk ${index} of the backup is damaged or out of order.`);
      throw error;
    }
  }

  openEnd(chunks: number, line: string): void {
    this.expect(chunks);
    let declared: number;
    try {
      declared = (JSON.parse(open(this.key, Buffer.from(line, 'base64'), endAad).toString('utf8')) as { chunks: number }).chunks;
    } catch {
      throw new DamagedBackupError('The end of the backup is damaged or missing.');
    }
    if (declared !== chunks) throw new DamagedBackupError(`The backup holds ${declared} chunks but ${chunks} were read: it was cut short.`);
  }

  private expect(index: number): void {
    if (index !== this.nextIndex) throw new DamagedBackupError(`Backup chunk ${index} arrived where ${this.nextIndex} was expected.`);
    this.nextIndex += 1;
  }

  wipe(): void {
    this.key.fill(0);
    this.key = Buffer.alloc(32);
  }
}

