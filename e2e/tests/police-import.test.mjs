// Browser tests for the police incident import (issue 3): "three imported
// police incidents in 12 months make a case eligible". As the triage user,
// upload a small CSV through /intake/police-incidents (three incidents for
// one invented victim, plus one malformed row), check the counts and the
// rejected row's line number and reason, find the person, and see the
// escalation criterion on their DASH page's MARAC eligibility panel. Then
// upload the same file again: nothing new is imported.
// One Haven demo server for the file; the tests run in order and share the
// CSV and the person it creates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, mainText, newPage, screenshot, startHaven, withDiagnostics } from '../lib.mjs';

let haven;
let browser;

// An invented victim (and suspect) whose names the demo data will not contain.
const GIVEN = 'Ottoline';
const FAMILY = 'Brackenbury';
const DOB = '1987-03-14';
// Incident ids are unique across the database: make them unique per run.
const RUN = Date.now().toString(36).toUpperCase();
const FILE_NAME = 'e2e-police-incidents.csv';

/** YYYY-MM-DD for `days` days before today (UTC, as the server counts). */
function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

const HEADER = 'incident_id,incident_date,victim_given_name,victim_family_name,victim_date_of_birth,victim_sex,victim_postcode,suspect_given_name,suspect_family_name,suspect_date_of_birth,relationship,risk_grade,dash_score,children_present,consent,summary';
// Line 1 is the header; the malformed row (an unknown risk grade) is line 3.
const ROWS = [
  HEADER,
  `E2E/${RUN}/1,${daysAgo(300)},${GIVEN},${FAMILY},${DOB},female,WX9 1AA,Rupert,Brackenbury,1984-09-30,intimate_partner,standard,4,0,yes,Neighbour reported shouting.`,
  `E2E/${RUN}/BAD,${daysAgo(200)},${GIVEN},${FAMILY},${DOB},female,WX9 1AA,,,,,extreme,,,,`,
  `E2E/${RUN}/2,${daysAgo(150)},${GIVEN},${FAMILY},${DOB},female,WX9 1AA,Rupert,Brackenbury,1984-09-30,intimate_partner,medium,9,1,yes,"Victim reports threats, and damage to her phone."`,
  `E2E/${RUN}/3,${daysAgo(20)},${GIVEN},${FAMILY},${DOB},female,WX9 1AA,Rupert,Brackenbury,1984-09-30,intimate_partner,medium,11,1,no,Breach of bail conditions.`,
];
const CSV = ROWS.join('\n') + '\n';

let personId;

before(async () => {
  haven = await startHaven({ scale: 300 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await haven?.stop();
});

/** Run `fn(page)` signed in as `user`, with diagnostics on failure. */
async function as(user, name, fn) {
  const page = await newPage(browser);
  try {
    await withDiagnostics(page, name, async () => {
      await login(page, haven.base, user, haven.password);
      await fn(page);
    });
  } finally {
    await page.context().close();
  }
}

/** Upload CSV through the page's form; returns the import report's counts by label. */
async function upload(page, csv = CSV, fileName = FILE_NAME) {
  await page.goto(`${haven.base}/intake/police-incidents`);
  assert.match(await page.locator('main h1').innerText(), /Import police incidents/);
  await page.setInputFiles('main input[type=file][name=file]', { name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/intake/police-incidents'),
    page.click('main form[action="/intake/police-incidents"] button[type=submit]'),
  ]);
  assert.equal(resp.status(), 200, `the upload is accepted (got ${resp.status()})`);
  await page.waitForSelector('#import-report');
  const counts = {};
  const dts = page.locator('#import-report dl dt');
  const n = await dts.count();
  for (let i = 0; i < n; i++) {
    const label = (await dts.nth(i).innerText()).trim();
    counts[label] = Number((await page.locator('#import-report dl dd').nth(i).innerText()).trim());
  }
  return counts;
}

test('upload: 3 imported, 1 rejected with its line number and reason', async () => {
  await as('triage', 'police-import-upload', async (page) => {
    const counts = await upload(page);
    await screenshot(page, 'police-import-first-upload');
    assert.deepEqual(counts, {
      'Rows read': 4,
      Imported: 3,
      'Already imported (skipped)': 0,
      Rejected: 1,
      // Counts cover victims and suspects: each is created by the first
      // row and matched (same name and date of birth) by the other two.
      'People matched to existing records': 4,
      'New people created': 2,
    });
    const rows = page.locator('#rejected-rows tbody tr');
    assert.equal(await rows.count(), 1, 'one rejected row is listed');
    const cells = (await rows.first().locator('td').allInnerTexts()).map((s) => s.trim());
    assert.equal(cells[0], '3', 'the rejected row is line 3 (the header is line 1)');
    assert.equal(cells[1], `E2E/${RUN}/BAD`);
    assert.match(cells[2], /risk_grade/);
    assert.match(cells[2], /must be standard, medium or high/);
    // The batch is listed under recent imports.
    const recent = (await page.locator('main table').last().innerText()).replace(/\s+/g, ' ');
    assert.ok(recent.includes(FILE_NAME), 'the file appears under Recent imports');
  });
});

test('the person is found by name and is MARAC-eligible by 3 police incidents in 12 months', async () => {
  await as('triage', 'police-import-eligible', async (page) => {
    await page.goto(`${haven.base}/people?q=${encodeURIComponent(`${GIVEN} ${FAMILY}`)}`);
    await screenshot(page, 'police-import-search');
    const hits = page.locator('main table a[href^="/people/"]', { hasText: `${GIVEN} ${FAMILY}` });
    assert.equal(await hits.count(), 1, 'exactly one person: all three incidents attached to one victim');
    const href = await hits.first().getAttribute('href');
    personId = Number(href.split('/')[2]);
    assert.ok(Number.isInteger(personId) && personId > 0, `a person id from ${href}`);

    await page.goto(`${haven.base}/people/${personId}`);
    const record = await mainText(page);
    await screenshot(page, 'police-import-person');
    assert.ok(record.includes(`${GIVEN} ${FAMILY}`), 'the person page names the victim');

    await page.goto(`${haven.base}/people/${personId}/dash`);
    const panel = (await page.locator('#eligibility').innerText()).replace(/\s+/g, ' ');
    await screenshot(page, 'police-import-eligibility');
    assert.match(panel, /MARAC-eligible/);
    assert.doesNotMatch(panel, /Not MARAC-eligible/);
    const today = new Date().toISOString().slice(0, 10);
    assert.ok(panel.includes(`3 police incidents in the 12 months to ${today}`), `the panel gives the escalation reason: ${panel}`);
    assert.ok(await page.locator(`#eligibility a[href="/people/${personId}/marac"]`).isVisible(), 'the panel offers "Refer to MARAC"');
  });
});

test('uploading the same file again imports nothing', async () => {
  await as('triage', 'police-import-again', async (page) => {
    const counts = await upload(page);
    await screenshot(page, 'police-import-second-upload');
    assert.equal(counts['Rows read'], 4);
    assert.equal(counts.Imported, 0, 'nothing new is imported');
    assert.equal(counts['Already imported (skipped)'], 3, 'the three good rows are already imported');
    assert.equal(counts.Rejected, 1, 'the malformed row is still rejected');
    assert.equal(counts['New people created'], 0, 'no new person');
    assert.equal(await page.locator('#rejected-rows tbody tr').count(), 1);

    // Still one person, still exactly three police incidents.
    await page.goto(`${haven.base}/people?q=${encodeURIComponent(`${GIVEN} ${FAMILY}`)}`);
    assert.equal(await page.locator('main table a[href^="/people/"]', { hasText: `${GIVEN} ${FAMILY}` }).count(), 1);
    await page.goto(`${haven.base}/people/${personId}/dash`);
    const panel = (await page.locator('#eligibility').innerText()).replace(/\s+/g, ' ');
    assert.match(panel, /\b3 police incidents in the 12 months to /, `still 3 incidents after the re-upload: ${panel}`);
  });
});

// Files with CRLF line endings (Excel's "CSV UTF-8", most Windows exports)
// once had every rejected row reported one line too early; the page and
// `haven import police-incidents` share the parser, so this guards both.
test('CRLF file: a rejected row is reported on the line it is on', async () => {
  await as('triage', 'police-import-crlf', async (page) => {
    const crlf = [
      HEADER,
      `E2E/${RUN}/C1,${daysAgo(30)},Crispin,Lineending,1990-01-01,male,,,,,,standard,,,,`,
      `E2E/${RUN}/CBAD,${daysAgo(30)},Crispin,Lineending,1990-01-01,male,,,,,,extreme,,,,`,
    ].join('\r\n') + '\r\n';
    const counts = await upload(page, crlf, 'e2e-crlf.csv');
    await screenshot(page, 'police-import-crlf');
    assert.equal(counts.Imported, 1);
    assert.equal(counts.Rejected, 1);
    const cells = (await page.locator('#rejected-rows tbody tr').first().locator('td').allInnerTexts()).map((s) => s.trim());
    assert.equal(cells[1], `E2E/${RUN}/CBAD`);
    assert.equal(cells[0], '3', 'the malformed row is on line 3 of the file');
  });
});
