import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The S3 server these tests talk to, on an ephemeral loopback port: moto (`moto_server`, a
 * separate process with faithful S3 semantics) when on PATH, else s3rver in-process, whose gaps
 * are skipped by name. `CAPSTAN_TEST_S3_SERVER=moto|s3rver` forces one.
 */
export interface TestS3Server {
  kind: 'moto' | 's3rver';
  endpoint: string;
  stop(): Promise<void>;
}

/** The slice of s3rver's (untyped) API these tests use. */
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
}) => S3rverServer;

/** Credentials the test servers accept. */
export const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Contract tests s3rver cannot pass, with why. */
export const S3RVER_GAPS: Record<string, string> = {
  'pages through directories with many entries': 's3rver continuation tokens need DES, absent from Node 17+ OpenSSL',
  'deletes a directory holding more than one delete batch': 's3rver continuation tokens need DES, absent from Node 17+ OpenSSL',
  'rejects completion with an etag that was not uploaded': 's3rver does not check part etags',
  'leaves nothing behind when aborted': 's3rver does not implement AbortMultipartUpload',
  'treats an aborted upload as missing': 's3rver does not implement AbortMultipartUpload',
};

/** Contract tests moto cannot pass, with why. */
export const MOTO_GAPS: Record<string, string> = {
  'treats an aborted upload as missing': 'moto answers 500, not NoSuchUpload, for an unknown upload id',
};

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Starts moto_server on an ephemeral port. */
export async function startMoto(): Promise<TestS3Server> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    let found = false;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`moto_server did not start: ${output}`));
    }, 30_000);
    const onData = (data: Buffer): void => {
      if (found) return;
      output += data.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        found = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${output}`)));
  });
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  return {
    kind: 'moto',
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Starts s3rver in-process on an ephemeral port. */
export async function startS3rver(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'capstan-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await server.run();
  return {
    kind: 's3rver',
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** moto when on PATH (or forced by CAPSTAN_TEST_S3_SERVER), else s3rver. */
export function chosenServer(): 'moto' | 's3rver' {
  const forced = process.env.CAPSTAN_TEST_S3_SERVER;
  if (forced === 'moto' || forced === 's3rver') return forced;
  return onPath('moto_server') ? 'moto' : 's3rver';
}

/** Starts the chosen S3 test server. */
export function startTestS3Server(kind = chosenServer()): Promise<TestS3Server> {
  return kind === 'moto' ? startMoto() : startS3rver();
}
