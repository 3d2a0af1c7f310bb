// --chown by name: the lookup in an image's passwd and group files (Docker's rules).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownNeedsFiles, resolveOwner } from '../../src/build/image-users';
import { urlFileName, parseChecksum } from '../../src/build/remote';
import { sourceDateEpoch } from '../../src/build/builder';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www:/var/www:/bin/false\napp:x:1000:1001::/home/app:/bin/sh\n';
const group = 'root:x:0:\nwww-data:x:33:\nstaff:x:50:app\n';

describe('resolveOwner', () => {
  test('names and ids, alone and paired', () => {
    assert.deepEqual(resolveOwner('app', passwd, group), { uid: 1000, gid: 1000 });
    assert.deepEqual(resolveOwner('app:staff', passwd, group), { uid: 1000, gid: 50 });
    assert.deepEqual(resolveOwner('www-data:7', passwd, group), { uid: 33, gid: 7 });
    assert.deepEqual(resolveOwner('5:www-data', passwd, group), { uid: 5, gid: 33 });
    assert.deepEqual(resolveOwner('12', null, null), { uid: 12, gid: 12 });
    assert.equal(chownNeedsFiles('1:2'), false);
    assert.equal(chownNeedsFiles('1:staff'), true);
  });
  test('unknown names and bad specs fail clearly', () => {
    assert.throws(() => resolveOwner('nobody2', passwd, group), /unable to find user nobody2: no matching entries in \/etc\/passwd/);
    assert.throws(() => resolveOwner('app:wheel', passwd, group), /unable to find group wheel/);
    assert.throws(() => resolveOwner('app', null, null), /it has no \/etc\/passwd/);
    assert.throws(() => resolveOwner('a:b:c', passwd, group), /expected USER\[:GROUP\]/);
    assert.throws(() => resolveOwner(':x', passwd, group), /expected USER\[:GROUP\]/);
  });
});

describe('ADD URL helpers and SOURCE_DATE_EPOCH', () => {
  test('file names come from the URL path only', () => {
    assert.equal(urlFileName(new URL('http://h/a/b/c.txt?x=1')), 'c.txt');
    assert.equal(urlFileName(new URL('http://h/')), 'download');
    assert.equal(urlFileName(new URL('http://h/a/%2e%2e')), 'download');
    assert.equal(urlFileName(new URL('http://h/a/x%2Fy')), 'download');
    assert.throws(() => parseChecksum('md5:abc'), /expected sha256/);
  });
  test('SOURCE_DATE_EPOCH is whole seconds', () => {
    assert.equal(sourceDateEpoch({}), undefined);
    assert.equal(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' }), 1700000000);
    assert.throws(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: 'yesterday' }), /whole seconds/);
  });
});
