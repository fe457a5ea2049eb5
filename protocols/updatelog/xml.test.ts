import { describe, expect, it } from 'vitest';
import { errorFromXml, errorToXml, listResultFromXml, listResultToXml } from './codec.ts';
import { parseXml } from './xml.ts';

describe('the strict XML reader', () => {
  it('reads elements, attributes, entities, CDATA and comments', () => {
    const parsed = parseXml(
      '<?xml version="1.0"?>\n<!-- c --><a x="1" y=\'&lt;2&gt;\'><b>T &amp; &#65;&#x42;</b><![CDATA[<raw>]]><c/></a>',
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: 'a',
        attributes: { x: '1', y: '<2>' },
        children: [{ name: 'b', attributes: {}, children: ['T & AB'] }, '<raw>', { name: 'c', attributes: {}, children: [] }],
      },
    });
  });

  it.each([
    ['<a><b></a>', '</a> closes <b>'],
    ['<a>', '<a> is not closed'],
    ['<a>&nope;</a>', 'unknown entity &nope;'],
    ['<a>&amp</a>', 'unterminated entity reference'],
    ['<a></a><b/>', 'content after the root element'],
    ['text', 'text before the root element'],
    ['', 'no root element'],
    ['<a x=1/>', 'attribute x of <a> needs a quoted value'],
    ['<a x="1" x="2"/>', 'attribute x repeated on <a>'],
    ['<!DOCTYPE a><a/>', 'expected a name'],
  ])('rejects %j with an offset: %s', (text, reason) => {
    const parsed = parseXml(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.reason).toContain(reason);
      expect(parsed.error.codec).toBe('xml');
      expect(typeof parsed.error.offset).toBe('number');
    }
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const deep = `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`;
    expect(parseXml(deep)).toMatchObject({ ok: false, error: { reason: 'elements nested too deeply' } });
  });
});

describe('ListObjectsV2 and error documents', () => {
  const result = {
    Name: 'bucket',
    Prefix: 'app/ds/shared/',
    StartAfter: 'app/ds/shared/1-a',
    KeyCount: 2,
    MaxKeys: 1000,
    IsTruncated: true,
    NextContinuationToken: 'tok&en',
    Contents: [
      { Key: 'app/ds/shared/2-b', LastModified: '2024-01-01T00:00:00.000Z', ETag: '"e1"', Size: 10, StorageClass: 'STANDARD' },
      { Key: 'app/ds/shared/3-<c>', LastModified: '2024-01-01T00:00:01.000Z', ETag: '"e2"', Size: 0, StorageClass: 'STANDARD' },
    ],
  };

  it('round-trips a result through the XML S3 writes', () => {
    const xml = listResultToXml(result);
    expect(xml).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(xml).toContain('&lt;c&gt;');
    expect(listResultFromXml(xml)).toEqual({ ok: true, value: result });
  });

  it('keeps fields real S3 adds (Owner, ChecksumAlgorithm) and empty results', () => {
    const xml =
      '<ListBucketResult><Name>b</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>' +
      '<Contents><Key>k</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"x"</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><Size>3</Size><Owner><ID>o</ID></Owner></Contents></ListBucketResult>';
    const parsed = listResultFromXml(xml);
    expect(parsed.ok && parsed.value.Contents[0]).toMatchObject({ Key: 'k', Size: 3, ChecksumAlgorithm: 'CRC64NVME', Owner: { ID: 'o' } });
  });

  it('names the element that is wrong', () => {
    const bad = listResultToXml(result).replace('<KeyCount>2</KeyCount>', '<KeyCount>two</KeyCount>');
    expect(listResultFromXml(bad)).toMatchObject({ ok: false, error: { path: ['ListBucketResult', 'KeyCount'] } });
    const missing = listResultToXml(result).replace(/<Size>10<\/Size>/, '');
    expect(listResultFromXml(missing)).toMatchObject({ ok: false, error: { path: ['ListBucketResult', 'Contents', 0, 'Size'] } });
    const twice = listResultToXml(result).replace('<Name>bucket</Name>', '<Name>a</Name><Name>b</Name>');
    expect(listResultFromXml(twice)).toMatchObject({ ok: false, error: { reason: '<Name> appears twice' } });
    expect(listResultFromXml('<Error/>')).toMatchObject({ ok: false, error: { reason: 'expected <ListBucketResult>, found <Error>' } });
  });

  it('reads and writes error documents', () => {
    const error = { Code: 'NoSuchKey', Message: 'The specified key does not exist.', Key: 'a/b', Resource: '/bucket/a/b', RequestId: 'r1' };
    expect(errorFromXml(errorToXml(error))).toEqual({ ok: true, value: error });
    expect(errorFromXml('<Error><Message>m</Message></Error>')).toMatchObject({ ok: false, error: { path: ['Error', 'Code'] } });
  });
});
