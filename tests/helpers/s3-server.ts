// A real S3-compatible server for connector tests: s3rver (the `s3rver` npm package) on loopback,
// in its own process, storing objects in a throwaway directory; spoken to with the official AWS SDK.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { putS3rverObject, startS3rver } from '../../scripts/local-clouds';

/** s3rver's built-in account: it accepts requests signed with this access key id only. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3_TEST_REGION = 'us-east-1';

export interface S3TestServer {
  endpoint: string;
  /** A client for laying out buckets (the code under test makes its own). */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  remove(bucket: string, key: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 in a child process. A child because s3rver encrypts ListObjectsV2
 * continuation tokens with DES, which the OpenSSL 3 of Node 17+ only offers with
 * `--openssl-legacy-provider`: in-process, every second page of a listing fails with HTTP 500.
 * Port 0: the kernel picks a free port at bind time and the child reports it. The child exits
 * when stop() ends it or when this process goes away (its stdin closes).
 */
export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'burnrate-s3rver-'));
  const server = await startS3rver(directory);
  const endpoint = server.endpoint;
  const client = new S3Client({
    region: S3_TEST_REGION,
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // s3rver stores aws-chunked upload bodies as sent; plain bodies keep the objects byte-exact.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket, key, body) {
      await putS3rverObject(client, bucket, key, typeof body === 'string' ? Buffer.from(body) : body);
    },
    async remove(bucket, key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async stop() {
      client.destroy();
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface ErrorEndpoint {
  endpoint: string;
  /** Requests received so far. */
  requests(): number;
  stop(): Promise<void>;
}

/**
 * An HTTP server on loopback that answers every request with one S3 error (status, code and
 * message, in S3's XML error shape; HEAD responses have no body, as with S3). For the failures an
 * S3 emulator cannot produce: throttling, signature mismatch, expired session tokens.
 */
export async function startS3ErrorEndpoint(error: { status: number; code: string; message: string }): Promise<ErrorEndpoint> {
  let count = 0;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message><RequestId>TEST</RequestId></Error>`;
  const server = http.createServer((req, res) => {
    count++;
    req.resume();
    res.writeHead(error.status, { 'content-type': 'application/xml', 'x-amz-request-id': 'TEST' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The regular files of a .tar.gz (ustar, as GNU and BSD tar write it), for uploading a recorded bucket as it was. */
export async function readTarGz(file: string): Promise<{ path: string; data: Buffer }[]> {
  const tar = gunzipSync(await readFile(file));
  const out: { path: string; data: Buffer }[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = field(0, 100);
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const dataStart = offset + 512;
    if (type === '0' || type === '') {
      out.push({ path: prefix ? `${prefix}/${name}` : name, data: Buffer.from(tar.subarray(dataStart, dataStart + size)) });
    }
    offset = dataStart + Math.ceil(size / 512) * 512;
  }
  return out;
}
