import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { invalidParameter } from '@capstan/api';

/** Bytes before each blob in a pack: its raw sha256 (32) and its size as a big-endian uint64 (8). */
export const FRAME_HEADER = 40;
/** Largest pack body accepted. */
export const MAX_PACK_BYTES = 256 * 1024 * 1024;

/** One blob found in a pack: digest, size and where its bytes start in the pack. */
export interface PackEntry {
  digest: string;
  size: number;
  offset: number;
}

/**
 * Passes a pack through unchanged while parsing its frames (`[sha256 32 bytes][size uint64 BE][bytes]`
 * repeated) and hashing every blob. After the stream ends, `entries` lists the blobs and
 * `mismatch` names the first blob whose bytes do not hash to its digest (null when all match).
 * @throws (as a stream error) INVALID_PARAMETER_VALUE for a truncated frame or a pack over the limit.
 */
export class PackParser extends Transform {
  readonly entries: PackEntry[] = [];
  mismatch: string | null = null;
  private position = 0;
  private header = Buffer.alloc(FRAME_HEADER);
  private headerFilled = 0;
  private remaining = 0;
  private current: { digest: string; size: number; offset: number; hash: Hash } | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.position + chunk.length > MAX_PACK_BYTES) return callback(invalidParameter(`A pack holds at most ${MAX_PACK_BYTES} bytes`));
    let i = 0;
    while (i < chunk.length) {
      if (this.current === null) {
        const take = Math.min(FRAME_HEADER - this.headerFilled, chunk.length - i);
        chunk.copy(this.header, this.headerFilled, i, i + take);
        this.headerFilled += take;
        i += take;
        if (this.headerFilled === FRAME_HEADER) {
          const size = Number(this.header.readBigUInt64BE(32));
          if (!Number.isSafeInteger(size)) return callback(invalidParameter('Invalid blob size in pack'));
          this.current = { digest: this.header.subarray(0, 32).toString('hex'), size, offset: this.position + i, hash: createHash('sha256') };
          this.remaining = size;
          this.headerFilled = 0;
          if (size === 0) this.finishBlob();
        }
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        this.current.hash.update(chunk.subarray(i, i + take));
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.finishBlob();
      }
    }
    this.position += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.current !== null || this.headerFilled !== 0) return callback(invalidParameter('The pack ends in the middle of a blob'));
    callback();
  }

  private finishBlob(): void {
    const c = this.current!;
    const actual = c.hash.digest('hex');
    if (actual !== c.digest && this.mismatch === null) this.mismatch = `${c.digest} (its bytes hash to ${actual})`;
    this.entries.push({ digest: c.digest, size: c.size, offset: c.offset });
    this.current = null;
  }
}

/** The 40-byte frame header of a blob. */
export function frameHeader(digest: string, size: number): Buffer {
  const header = Buffer.alloc(FRAME_HEADER);
  Buffer.from(digest, 'hex').copy(header, 0);
  header.writeBigUInt64BE(BigInt(size), 32);
  return header;
}
