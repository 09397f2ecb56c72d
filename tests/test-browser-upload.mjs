// SPDX-License-Identifier: GPL-3.0-or-later
//
// The upload page in a real browser (Debian's chromium, headless, driven by playwright-core)
// against a real S3 server (the local Ceph RADOS Gateway): a partner opens the page link,
// chooses files with the page's own file input, sends them; what arrives is checked with the
// managing key. Pages are made with presign-guard-cli upload-page and taken back with
// presign-guard-cli revoke --url, as an administrator would. Output is TAP.
//
// With --screenshots DIR, it takes pictures of the page instead (English, Japanese, a phone),
// for the README.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, ftruncateSync,
         closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(join(process.env.PG_NODE_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');

const CLI = process.env.PG_CLI;
const ENDPOINT = process.env.PG_TEST_S3_ENDPOINT;
const SIGNER_ARN = 'arn:aws:iam:::user/owner:presign';
const COMMON = ['--endpoint', ENDPOINT, '--path-style', '--region', 'us-east-1'];
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'OWNERKEY',
  AWS_SECRET_ACCESS_KEY: 'OWNERSECRET',
  PG_SIGNER_ACCESS_KEY_ID: 'PRESIGNKEY',
  PG_SIGNER_SECRET_ACCESS_KEY: 'PRESIGNSECRET',
};
delete ENV.AWS_SESSION_TOKEN;

const HOSTILE_NAME = '</script><img src=x onerror="window.pwned=1">\u202Etxt.exe\u202C "q" & <b>.txt';
const HOSTILE_NOTE = 'Hi <script>window.pwned=2</script>\n<img src=x onerror=window.pwned=3>\n' +
                     '\u2028 {count} @SCRIPT@ \u202Eright-to-left\u202C 日本語';

function cli (...args) {
  const done = spawnSync(CLI, args, { env: ENV, encoding: 'utf8', timeout: 120000 });
  if (done.status !== 0)
    throw new Error(`${args[0]} failed (${done.status}): ${done.stderr}`);
  return done;
}

function lastLine (text) {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1];
}

function newBucket () {
  const bucket = 'pg-page-' + randomBytes(5).toString('hex');
  cli('mb', ...COMMON, '--bucket', bucket);
  return bucket;
}

function makePage (bucket, { files = 1, note = null, label = null, expires = 600 } = {}) {
  const args = ['upload-page', ...COMMON, '--bucket', bucket, '--folder', 'incoming/acme',
                '--files', String(files), '--expires', String(expires)];
  if (note !== null)
    args.push('--note', note);
  if (label !== null)
    args.push('--for', label);
  const done = cli(...args);
  const uploads = done.stdout.split('\n').filter((line) => line.startsWith('upload: '))
    .map((line) => line.slice('upload: '.length + bucket.length + 1));
  return { url: lastLine(done.stdout), uploads };
}

// What is stored under @key, read with the managing key through a link of its own.
async function fetchObject (bucket, key) {
  const url = lastLine(cli('presign', ...COMMON, '--method', 'GET', '--bucket', bucket,
                           '--key', key, '--expires', '300').stdout);
  const response = await fetch(url);
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()),
           disposition: response.headers.get('content-disposition'),
           type: response.headers.get('content-type') };
}

// ---- The browser ---------------------------------------------------------------------------

let browser;

// Playwright starts the browser with a new, empty profile of its own, removed on close.
async function launch () {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
  });
}

// A page of the browser that records what a Content-Security-Policy refused and what threw.
async function open (url, { locale = 'en-US', viewport = { width: 1000, height: 900 } } = {}) {
  const context = await browser.newContext({ locale, viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text()))
      page.problems.push(message.text());
  });
  page.on('pageerror', (error) => page.problems.push(String(error)));
  await page.goto(url);
  return page;
}

async function statusOf (page, index = 0) {
  return (await page.locator('#files li .file-status').nth(index).textContent()).trim();
}

async function waitForStatus (page, text, index = 0) {
  const status = page.locator('#files li .file-status').nth(index);
  await status.filter({ hasText: text }).waitFor({ timeout: 30000 });
}

async function choose (page, files) {
  await page.locator('#picker').setInputFiles(files);
}

function file (name, bytes, mimeType = 'application/octet-stream') {
  return { name, mimeType, buffer: bytes };
}

function assert (condition, message) {
  if (!condition)
    throw new Error(message);
}

function equal (actual, expected, what) {
  if (actual !== expected)
    throw new Error(`${what}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`);
}

// ---- Tests ---------------------------------------------------------------------------------

async function testSendOnce () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket);
  const bytes = randomBytes(300 * 1024);
  const served = await fetch(url);
  equal(served.headers.get('content-type'), 'text/html; charset=utf-8', 'Content-Type');
  equal(served.headers.get('cache-control'), 'no-store', 'Cache-Control');
  const page = await open(url);

  equal(await page.title(), 'Send files', 'title');
  equal(await page.locator('#limit').textContent(), 'You can send one file.', 'limit');
  await choose(page, [file('report 2026 (final)+%.pdf', bytes, 'application/pdf')]);
  await page.locator('#send').click();
  await waitForStatus(page, 'Sent.');
  equal(await page.locator('#summary').textContent(),
        'Everything was sent. You can close this page.', 'summary');
  assert(await page.locator('#choose').isDisabled(), 'the page takes no more files');

  // The same bytes arrived, under the key the page was made for, with the partner's file name.
  const stored = await fetchObject(bucket, uploads[0]);
  equal(stored.status, 200, 'stored object');
  assert(stored.body.equals(bytes), 'stored bytes differ');
  equal(stored.disposition, "attachment; filename*=UTF-8''report%202026%20%28final%29%2B%25.pdf",
        'Content-Disposition');
  equal(page.problems.length, 0, 'CSP or script problems: ' + page.problems.join('; '));

  // Opened again (another visit, the same link): the upload was used; what arrived stays.
  const again = await open(url);
  await choose(again, [file('other.pdf', randomBytes(1000))]);
  await again.locator('#send').click();
  await waitForStatus(again, 'already used');
  assert((await statusOf(again)).startsWith('This link was already used'), await statusOf(again));
  assert((await fetchObject(bucket, uploads[0])).body.equals(bytes), 'the first file was replaced');
  await page.context().close();
  await again.context().close();
}

async function testSeveralFiles () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket, { files: 3 });
  const page = await open(url);
  const contents = [randomBytes(1000), randomBytes(2000), randomBytes(3000), randomBytes(10)];

  equal(await page.locator('#limit').textContent(), 'You can send up to 3 files.', 'limit');
  // Four chosen, three taken: the page says why.
  await choose(page, contents.map((bytes, i) => file(`part-${i + 1}.bin`, bytes)));
  equal(await page.locator('#files li').count(), 3, 'files listed');
  equal(await page.locator('#banner').textContent(),
        'Only 3 files can be sent through this page.', 'banner');
  await page.locator('#send').click();
  for (let i = 0; i < 3; i++)
    await waitForStatus(page, 'Sent.', i);

  const stored = [];
  for (const key of uploads)
    stored.push((await fetchObject(bucket, key)).body);
  for (let i = 0; i < 3; i++)
    assert(stored.some((body) => body.equals(contents[i])), `part ${i + 1} did not arrive`);
  await page.context().close();
}

async function testHostileValuesRenderAsText () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket, { note: HOSTILE_NOTE });
  const page = await open(url);

  equal(await page.locator('#note').textContent(), HOSTILE_NOTE, 'note');
  await choose(page, [file(HOSTILE_NAME, Buffer.from('hostile'))]);
  equal(await page.locator('#files .file-name').textContent(), HOSTILE_NAME, 'file name');
  await page.locator('#send').click();
  await waitForStatus(page, 'Sent.');

  equal(await page.evaluate(() => window.pwned), undefined, 'a value ran as code');
  equal(await page.locator('img').count(), 0, 'a value became markup');
  equal(await page.locator('script').count(), 2, 'script elements');
  equal(page.problems.length, 0, 'problems: ' + page.problems.join('; '));
  const stored = await fetchObject(bucket, uploads[0]);
  equal(stored.body.toString(), 'hostile', 'stored');
  await page.context().close();
}

async function testRevokeClosesPageAndUploads () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket, { files: 2 });
  const page = await open(url);

  // Chosen before the revocation, sent after it.
  await choose(page, [file('late.txt', Buffer.from('too late'))]);
  const done = cli('revoke', ...COMMON, '--signer-arn', SIGNER_ARN, '--url', url);
  equal(lastLine(done.stdout), 'verified', 'revoke --url');
  assert(done.stdout.includes('(get)') && done.stdout.split('(put)').length === 3,
         'the page and both uploads are revoked: ' + done.stdout);

  equal((await fetch(url)).status, 403, 'the page link after revoke');
  await page.locator('#send').click();
  await waitForStatus(page, 'closed');
  assert(!(await page.locator('#banner').isHidden()), 'banner shown');
  equal(await page.locator('#banner').textContent(),
        'This link was closed or has expired. Ask the sender for a new link.', 'banner');
  assert(await page.locator('#choose').isDisabled(), 'no more choosing');
  equal((await fetchObject(bucket, uploads[0])).status, 404, 'nothing arrived');

  // Opened anew, the page is refused.
  const other = await open(url);
  equal(await other.locator('#send').count(), 0, 'a revoked page opened');
  await other.context().close();
  await page.context().close();
}

async function testOpenPageNoticesRevocation () {
  const bucket = newBucket();
  const { url } = makePage(bucket);
  const page = await open(url);

  cli('revoke', ...COMMON, '--signer-arn', SIGNER_ARN, '--url', url);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.locator('#banner').filter({ hasText: 'closed' }).waitFor({ timeout: 10000 });
  assert(await page.locator('#choose').isDisabled(), 'no more choosing');
  await page.context().close();
}

async function testTooLargeRefusedBeforeSending () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket);
  const page = await open(url);
  const dir = mkdtempSync(join(tmpdir(), 'pg-large-'));
  const path = join(dir, 'huge.iso');
  const fd = openSync(path, 'w');

  // Sparse: 5 GiB and one byte, nothing written.
  ftruncateSync(fd, 5 * 1024 * 1024 * 1024 + 1);
  closeSync(fd);
  try {
    await choose(page, [path]);
    assert((await statusOf(page)).includes('larger than 5 GB'), await statusOf(page));
    assert(await page.locator('#send').isDisabled(), 'nothing to send');
    equal((await fetchObject(bucket, uploads[0])).status, 404, 'nothing arrived');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await page.context().close();
}

async function testNetworkFailureAndRetry () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket);
  const page = await open(url);
  const bytes = randomBytes(2048);

  await choose(page, [file('data.csv', bytes, 'text/csv')]);
  await page.context().setOffline(true);
  await page.locator('#send').click();
  await waitForStatus(page, 'connection failed');
  await page.context().setOffline(false);
  await page.locator('#files button', { hasText: 'Try Again' }).click();
  await waitForStatus(page, 'Sent.');
  assert((await fetchObject(bucket, uploads[0])).body.equals(bytes), 'bytes after retry');
  await page.context().close();
}

async function testCancelThenSend () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket);
  const page = await open(url);
  const cdp = await page.context().newCDPSession(page);
  const bytes = randomBytes(2 * 1024 * 1024);

  // Slow enough to be caught half way.
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 50, downloadThroughput: -1, uploadThroughput: 64 * 1024,
  });
  await choose(page, [file('slow.bin', bytes)]);
  await page.locator('#send').click();
  await page.locator('#files progress').waitFor();
  await page.locator('#files button', { hasText: 'Cancel' }).click();
  await waitForStatus(page, 'Cancelled.');
  equal((await fetchObject(bucket, uploads[0])).status, 404, 'a cancelled upload stored');

  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  await page.locator('#files button', { hasText: 'Try Again' }).click();
  await waitForStatus(page, 'Sent.');
  assert((await fetchObject(bucket, uploads[0])).body.equals(bytes), 'bytes after cancel');
  await page.context().close();
}

async function testLanguagesAndKeyboard () {
  const bucket = newBucket();
  const { url } = makePage(bucket, { files: 2, note: 'よろしくお願いします。' });
  const page = await open(url, { locale: 'ja-JP' });

  // Japanese from the browser's language, English at a click, and back.
  equal(await page.evaluate(() => document.documentElement.lang), 'ja', 'lang');
  const japanese = await page.locator('h1').textContent();
  assert(japanese !== 'Send files' && /[\u3040-\u30ff\u4e00-\u9fff]/.test(japanese), japanese);
  equal(await page.locator('#languages button[lang="ja"]').getAttribute('aria-pressed'), 'true',
        'pressed');
  await page.locator('#languages button[lang="en"]').click();
  equal(await page.locator('h1').textContent(), 'Send files', 'English');
  equal(await page.evaluate(() => document.documentElement.lang), 'en', 'lang');

  // Operable from the keyboard: Tab reaches the language switch and the file button, and the
  // focus is visible.
  const reached = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => document.activeElement.id ||
                                           document.activeElement.dataset.lang || ''));
  }
  assert(reached.includes('choose'), 'Tab never reached the file button: ' + reached.join(','));
  while (await page.evaluate(() => document.activeElement.id) !== 'choose')
    await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  equal(outline, 'solid', 'focus outline');

  // Named controls and announced status.
  await choose(page, [file('a.txt', Buffer.from('a'))]);
  equal(await page.locator('#files progress').getAttribute('aria-label'), 'Progress of a.txt',
        'progress label');
  equal(await page.locator('#files .file-status').getAttribute('role'), 'status', 'status role');
  await page.context().close();
}

// Not a test: pictures of the page for the README (run.sh … --screenshots DIR).
async function takeScreenshots (dir) {
  const bucket = newBucket();
  const shots = [
    { name: 'en/upload-page.png', locale: 'en-US', viewport: { width: 900, height: 860 } },
    { name: 'ja/upload-page.png', locale: 'ja-JP', viewport: { width: 900, height: 860 } },
    { name: 'ja/upload-page-phone.png', locale: 'ja-JP', viewport: { width: 390, height: 844 } },
  ];

  for (const shot of shots) {
    const { url } = makePage(bucket, {
      files: 3, note: 'Please send the signed contract and the invoice.\n契約書と請求書をお送りください。',
    });
    const page = await open(url, shot);
    await choose(page, [file('contract-signed.pdf', randomBytes(180000), 'application/pdf'),
                        file('invoice-2026-11.pdf', randomBytes(42000), 'application/pdf')]);
    await page.locator('#send').click();
    await waitForStatus(page, /Sent|送信しました/, 0);
    await waitForStatus(page, /Sent|送信しました/, 1);
    await page.screenshot({ path: join(dir, shot.name), fullPage: shot.viewport.width < 500 });
    await page.context().close();
  }
}

// A web page sent by the partner is stored as data: the page signs the type, so the bucket
// never serves the file as a page on its own address (where our pages live); the same upload
// link used with "text/html" is refused.
async function testHtmlStoredAsData () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket, { files: 2 });
  const html = Buffer.from('<html><body><script>document.title = "ran"</script>hi</body></html>');
  const page = await open(url);
  await choose(page, [file('invoice.html', html, 'text/html')]);
  await page.locator('#send').click();
  await waitForStatus(page, 'Sent.');
  const stored = await fetchObject(bucket, uploads[0]);
  assert(stored.body.equals(html), 'stored bytes differ');
  equal(stored.type, 'application/octet-stream', 'stored Content-Type');

  const config = JSON.parse(Buffer.from(await (await fetch(url)).arrayBuffer()).toString()
    .match(/<script type="application\/json" id="pg-config">([^<]*)<\/script>/)[1]);
  const forced = await fetch(config.files[1].url, {
    method: 'PUT', body: html, headers: { 'Content-Type': 'text/html', 'If-None-Match': '*' } });
  equal(forced.status, 403, 'a PUT as text/html');
  equal((await fetchObject(bucket, uploads[1])).status, 404, 'nothing stored as a page');
  await page.context().close();
}

// What the partner sent comes back under the names the files had: received lists them
// exactly (Latin and Japanese), --save writes the same bytes under those names and never over
// a file already there, get saves one under its name.
async function testReceivedUnderPartnersNames () {
  const bucket = newBucket();
  const { url, uploads } = makePage(bucket, { files: 3, label: 'ACME, Kenji Sato' });
  const names = ['Signed contract ACME.pdf', '請求書 12月.xlsx'];
  const contents = [randomBytes(5000), randomBytes(7000)];
  const page = await open(url);
  equal(await page.locator('#for').textContent(), 'This page is for ACME, Kenji Sato.', 'for');
  await choose(page, names.map((name, i) => file(name, contents[i])));
  await page.locator('#send').click();
  for (let i = 0; i < 2; i++)
    await waitForStatus(page, 'Sent.', i);
  await page.context().close();

  const lines = cli('received', ...COMMON, '--url', url).stdout.trim().split('\n')
    .map((line) => line.split('\t'));
  equal(lines.length, 2, 'files listed');
  const byName = new Map(lines.map((fields) => [fields[0], fields]));
  for (let i = 0; i < 2; i++) {
    const fields = byName.get(names[i]);
    assert(fields, `${names[i]} not listed: ${JSON.stringify(lines)}`);
    equal(fields[1], String(contents[i].length), 'size');
    assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(fields[2]), 'time ' + fields[2]);
    assert(uploads.includes(fields[3]), 'key ' + fields[3]);
  }

  const folder = mkdtempSync(join(tmpdir(), 'pg-received-'));
  try {
    writeFileSync(join(folder, names[0]), 'already here');
    cli('received', ...COMMON, '--url', url, '--save', folder);
    const saved = readdirSync(folder).sort();
    equal(JSON.stringify(saved), JSON.stringify(['Signed contract ACME (2).pdf',
                                                 names[0], names[1]].sort()), 'saved names');
    equal(readFileSync(join(folder, names[0]), 'utf8'), 'already here', 'not overwritten');
    assert(readFileSync(join(folder, 'Signed contract ACME (2).pdf')).equals(contents[0]),
           'saved bytes differ');
    assert(readFileSync(join(folder, names[1])).equals(contents[1]), 'saved bytes differ');

    const key = byName.get(names[1])[3];
    const got = spawnSync(CLI, ['get', ...COMMON, '--bucket', bucket, '--key', key],
                          { env: ENV, encoding: 'utf8', cwd: folder, timeout: 120000 });
    equal(got.status, 0, 'get: ' + got.stderr);
    equal(got.stdout.trim(), join(folder, '請求書 12月 (2).xlsx'), 'get path');
    assert(readFileSync(join(folder, '請求書 12月 (2).xlsx')).equals(contents[1]), 'get bytes');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const tests = [
  ['send once, then already used', testSendOnce],
  ['several files, no more than allowed', testSeveralFiles],
  ['a web page sent is stored as data', testHtmlStoredAsData],
  ['received under the partner\'s names', testReceivedUnderPartnersNames],
  ['hostile names and note render as text', testHostileValuesRenderAsText],
  ['one revocation closes the page and every upload', testRevokeClosesPageAndUploads],
  ['an open page notices a revocation', testOpenPageNoticesRevocation],
  ['larger than 5 GB refused before sending', testTooLargeRefusedBeforeSending],
  ['network failure, then retry', testNetworkFailureAndRetry],
  ['cancel, then send', testCancelThenSend],
  ['Japanese and English, keyboard, accessible names', testLanguagesAndKeyboard],
];

let failed = 0;
const screenshots = process.argv.indexOf('--screenshots');
try {
  await launch();
  if (screenshots > 0)
    await takeScreenshots(process.argv[screenshots + 1]);
  else
    console.log(`1..${tests.length}`);
  for (const [index, [name, run]] of (screenshots > 0 ? [] : tests).entries()) {
    try {
      await run();
      console.log(`ok ${index + 1} ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok ${index + 1} ${name}`);
      for (const line of String(error.stack || error).split('\n'))
        console.log('# ' + line);
    }
  }
} finally {
  if (browser)
    await browser.close();
}
process.exit(failed ? 1 : 0);
