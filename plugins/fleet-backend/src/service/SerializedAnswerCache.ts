import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** One answer as it goes on the wire: its JSON, its gzip form once asked for, its validator. */
export interface SerializedAnswer {
  readonly key: string;
  /** The store's revision the answer was made at. */
  readonly revision: number;
  readonly json: Buffer;
  gzip?: Buffer;
  /** A weak validator of the JSON, for `If-None-Match`. */
  readonly etag: string;
}

/** Options of {@link SerializedAnswerCache}. */
export interface SerializedAnswerCacheOptions {
  /** Bytes of JSON and gzip kept, least recently used first out. Default 16 MiB. */
  maxBytes?: number;
}

/** Below this size, compressing costs more than it saves (the compression middleware's threshold too). */
const gzipThresholdBytes = 1024;

/**
 * Answers of read routes kept serialized and compressed, by query, for as long as the store's
 * revision they were made at is current.
 *
 * Reading a page of the fleet is cheap; turning it into bytes is not: serializing 20 instance
 * summaries, compressing them and hashing them for an ETag cost more than finding them, and
 * the garbage they leave is collected on the same event loop. A fleet changes far less often
 * than it is read (the portal's pages, the catalog module's refresh), so an answer is made
 * once per change of what it shows and then served as stored bytes.
 */
export class SerializedAnswerCache {
  private readonly maxBytes: number;
  /** In use order: the least recently used first. */
  private readonly entries = new Map<string, SerializedAnswer>();
  private bytes = 0;

  constructor(options: SerializedAnswerCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  }

  /**
   * The answer of `key` at `revision`: the stored one if it was made at that revision, else
   * `produce()`'s, stored. Read the revision before producing, so that a change made while
   * producing leaves the answer older than the store and it is made again next time.
   */
  async get(key: string, revision: number, produce: () => Promise<unknown>): Promise<SerializedAnswer> {
    const stored = this.entries.get(key);
    if (stored && stored.revision === revision) {
      this.entries.delete(key);
      this.entries.set(key, stored);
      return stored;
    }
    const json = Buffer.from(JSON.stringify(await produce()));
    const answer: SerializedAnswer = {
      key,
      revision,
      json,
      etag: `W/"${createHash('sha1').update(json).digest('base64url')}"`,
    };
    this.remove(key);
    this.entries.set(key, answer);
    this.bytes += json.length;
    this.evict();
    return answer;
  }

  /** The answer's gzip form, made on first use and kept with it. */
  gzipOf(answer: SerializedAnswer): Buffer {
    if (!answer.gzip) {
      answer.gzip = gzipSync(answer.json);
      if (this.entries.get(answer.key) === answer) {
        this.bytes += answer.gzip.length;
        this.evict();
      }
    }
    return answer.gzip;
  }

  /**
   * Sends an answer as `res.json` would, with its ETag (a matching `If-None-Match` gets 304,
   * before any compression) and, when the client accepts it and it is worth it, its stored gzip
   * form. The compression middleware leaves an answer that already has a `Content-Encoding` alone.
   */
  send(req: Request, res: Response, answer: SerializedAnswer): void {
    res.vary('Accept-Encoding');
    res.setHeader('ETag', answer.etag);
    res.type('json');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (answer.json.length >= gzipThresholdBytes && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(this.gzipOf(answer));
      return;
    }
    res.send(answer.json);
  }

  /** Entries and bytes held, for tests and metrics. */
  size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.json.length + (entry.gzip?.length ?? 0);
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
      this.remove(key);
    }
  }
}
