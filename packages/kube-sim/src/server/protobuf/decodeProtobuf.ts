/**
 * Reads the Kubernetes protobuf encoding of the few kinds kubectl sends that way. kubectl's typed
 * clients (`create namespace`, `create configmap`, `auth can-i`...) always send protobuf request
 * bodies: client-go falls back to JSON after a 415 only for CBOR, so the server has to read them.
 * Responses need no protobuf: those clients also accept JSON, and get it.
 */

type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time';
interface FieldSpec {
  name: string;
  type: Scalar | Message | { map: 'string' | 'bytes' };
  repeated?: boolean;
}
type Message = Record<number, FieldSpec>;

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const str = (name: string): FieldSpec => ({ name, type: 'string' });
const strings = (name: string): FieldSpec => ({ name, type: 'string', repeated: true });

const ownerReference: Message = {
  1: str('kind'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'),
  6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' },
};
const objectMeta: Message = {
  1: str('name'), 2: str('generateName'), 3: str('namespace'), 4: str('selfLink'), 5: str('uid'), 6: str('resourceVersion'),
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int' },
  11: { name: 'labels', type: { map: 'string' } },
  12: { name: 'annotations', type: { map: 'string' } },
  13: { name: 'ownerReferences', type: ownerReference, repeated: true },
  14: strings('finalizers'),
};
const objectReference: Message = {
  1: str('kind'), 2: str('namespace'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'), 6: str('resourceVersion'), 7: str('fieldPath'),
};
const metadata: FieldSpec = { name: 'metadata', type: objectMeta };

/** Kinds by `apiVersion/kind`, with the field numbers of k8s.io/api's generated.proto. */
const KINDS: Record<string, Message> = {
  'v1/Namespace': { 1: metadata, 2: { name: 'spec', type: { 1: strings('finalizers') } } },
  'v1/ConfigMap': {
    1: metadata, 2: { name: 'data', type: { map: 'string' } }, 3: { name: 'binaryData', type: { map: 'bytes' } }, 4: { name: 'immutable', type: 'bool' },
  },
  'v1/Secret': {
    1: metadata, 2: { name: 'data', type: { map: 'bytes' } }, 3: str('type'), 4: { name: 'stringData', type: { map: 'string' } },
    5: { name: 'immutable', type: 'bool' },
  },
  'v1/ServiceAccount': {
    1: metadata, 2: { name: 'secrets', type: objectReference, repeated: true },
    3: { name: 'imagePullSecrets', type: { 1: str('name') }, repeated: true },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: metadata,
    2: {
      name: 'spec',
      type: {
        1: {
          name: 'resourceAttributes',
          type: { 1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'), 7: str('name') },
        },
        2: { name: 'nonResourceAttributes', type: { 1: str('path'), 2: str('verb') } },
      },
    },
  },
  // `kubectl create token`.
  'authentication.k8s.io/v1/TokenRequest': {
    1: metadata,
    2: {
      name: 'spec',
      type: {
        1: strings('audiences'),
        3: { name: 'boundObjectRef', type: { 1: str('kind'), 2: str('apiVersion'), 3: str('name'), 4: str('uid') } },
        4: { name: 'expirationSeconds', type: 'int' },
      },
    },
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: metadata, 2: { name: 'spec', type: { 1: str('namespace') } } },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function fields(buf: Buffer, visit: (field: number, wireType: number, reader: Reader) => void): void {
  const reader = new Reader(buf);
  while (!reader.done) {
    const tag = Number(reader.varint());
    visit(tag >> 3, tag & 7, reader);
  }
}

function toInt(value: bigint): number {
  // int64 fields are two's complement varints.
  return Number(BigInt.asIntN(64, value));
}

function decodeTime(buf: Buffer): string | undefined {
  let seconds = 0;
  fields(buf, (field, wireType, r) => {
    if (field === 1 && wireType === 0) seconds = toInt(r.varint());
    else r.skip(wireType);
  });
  // Go's zero time, what an unset metav1.Time encodes as, is null in JSON: leave it out.
  if (seconds === 0 || seconds === -62135596800) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

function decodeMapEntry(buf: Buffer, valueType: 'string' | 'bytes'): [string, string] {
  let key = '';
  let value = '';
  fields(buf, (field, wireType, r) => {
    if (field === 1 && wireType === 2) key = r.bytes().toString('utf8');
    else if (field === 2 && wireType === 2) {
      const raw = r.bytes();
      value = valueType === 'bytes' ? raw.toString('base64') : raw.toString('utf8');
    } else r.skip(wireType);
  });
  return [key, value];
}

/** Decodes a message, leaving out the zero values Go's JSON encoding would omit. */
function decodeMessage(buf: Buffer, spec: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields(buf, (field, wireType, r) => {
    const f = spec[field];
    if (!f) return r.skip(wireType);
    let value: unknown;
    if (f.type === 'int' || f.type === 'bool') {
      if (wireType !== 0) return r.skip(wireType);
      const n = r.varint();
      value = f.type === 'bool' ? n !== 0n : toInt(n);
      if (value === 0 || value === false) return undefined;
    } else {
      if (wireType !== 2) return r.skip(wireType);
      const raw = r.bytes();
      if (f.type === 'string') value = raw.toString('utf8');
      else if (f.type === 'bytes') value = raw.toString('base64');
      else if (f.type === 'time') value = decodeTime(raw);
      else if ('map' in f.type) {
        const [k, v] = decodeMapEntry(raw, f.type.map as 'string' | 'bytes');
        out[f.name] = { ...(out[f.name] as Record<string, string> | undefined), [k]: v };
        return undefined;
      } else value = decodeMessage(raw, f.type as Message);
      if (value === undefined || (value === '' && !f.repeated)) return undefined;
    }
    if (f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), value];
    else out[f.name] = value;
    return undefined;
  });
  return out;
}

/** Whether a request body's content type is kube's protobuf envelope. */
export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim() === 'application/vnd.kubernetes.protobuf';
}

/**
 * The object a protobuf request body carries, as its JSON form would be; throws an Error naming
 * what it cannot read (not the envelope, or a kind outside the table above).
 */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  let apiVersion = '';
  let kind = '';
  let raw = Buffer.alloc(0);
  fields(body.subarray(4), (field, wireType, r) => {
    if (field === 1 && wireType === 2) {
      fields(r.bytes(), (f, w, tm) => {
        if (f === 1 && w === 2) apiVersion = tm.bytes().toString('utf8');
        else if (f === 2 && w === 2) kind = tm.bytes().toString('utf8');
        else tm.skip(w);
      });
    } else if (field === 2 && wireType === 2) raw = r.bytes();
    else r.skip(wireType);
  });
  const spec = KINDS[`${apiVersion}/${kind}`];
  if (!spec) throw new Error(`no protobuf decoding for ${apiVersion}, Kind=${kind}: send JSON`);
  return { apiVersion, kind, ...decodeMessage(raw, spec) };
}
