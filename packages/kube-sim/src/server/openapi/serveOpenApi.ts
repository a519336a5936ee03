import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, pathNotFound } from '../StatusError';
import type { OpenApiDocument, OpenApiDocuments } from './OpenApiDocuments';

function accepts(req: IncomingMessage, mediaType: string): boolean {
  const accept = req.headers.accept;
  if (!accept) return true;
  return accept.split(',').some(part => {
    const type = part.split(';')[0].trim();
    return type === mediaType || type === '*/*' || type === 'application/*';
  });
}

function sendDocument(req: IncomingMessage, res: ServerResponse, doc: OpenApiDocument, immutable: boolean): void {
  const etag = `"${doc.hash}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    Vary: 'Accept',
    'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private',
  };
  if (immutable) headers.Expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc.text) });
  res.end(doc.text);
}

/**
 * Serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version>` as kube-apiserver does:
 * JSON only (a client asking for protobuf alone is told 406), a hash-addressed URL is immutable,
 * and a stale hash redirects to the current one.
 */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, url: URL, path: string, docs: OpenApiDocuments): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (!accepts(req, 'application/json')) {
    throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json`);
  }
  if (path === '/openapi/v2') {
    sendDocument(req, res, docs.swagger(), false);
    return;
  }
  if (path === '/openapi/v3') {
    const text = JSON.stringify(docs.index());
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const key = path.slice('/openapi/v3/'.length);
  const doc = docs.groupVersion(key);
  if (!doc) throw pathNotFound();
  const hash = url.searchParams.get('hash');
  if (hash && hash !== doc.hash) {
    res.writeHead(301, { Location: `/openapi/v3/${key}?hash=${doc.hash}`, 'Cache-Control': 'no-cache, private' });
    res.end();
    return;
  }
  sendDocument(req, res, doc, hash !== null);
}
