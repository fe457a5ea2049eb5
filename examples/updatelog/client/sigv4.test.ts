import { describe, expect, it } from 'vitest';
import { signatureHeaders } from './sigv4.ts';

// The worked example "GET Object" of AWS's Signature Version 4 documentation for S3 (example credentials).
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const now = () => new Date('2013-05-24T00:00:00.000Z');

describe('AWS Signature V4', () => {
  it('reproduces the documented GET Object signature', async () => {
    const headers = await signatureHeaders(
      { method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { Range: 'bytes=0-9' } },
      { region: 'us-east-1', credentials, now },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reproduces the documented ListObjects signature (sorted, encoded query)', async () => {
    const headers = await signatureHeaders(
      { method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J', headers: {} },
      { region: 'us-east-1', credentials, now },
    );
    expect(headers.authorization).toContain('Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });
});
