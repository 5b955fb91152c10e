// Browser tests for record linkage (issue 5): a triage worker runs the
// linkage from the review page, confirms one uncertain pair (the records are
// merged, with an unmerge button) and rejects another (it is not suggested
// again). One Haven server for the file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, mainText, newPage, screenshot, startHaven, withDiagnostics } from '../lib.mjs';

let haven;
let browser;

before(async () => {
  haven = await startHaven({ scale: 300 });
  browser = await launch();
  console.log(`haven at ${haven.base}`);
});

after(async () => {
  await browser?.close();
  await haven?.stop();
});

/** Near-duplicates with a surname the demo data does not use. */
const PEOPLE = [
  { given_name: 'Philippa', family_name: 'Quixley', date_of_birth: '1977-04-12', sex: 'female', postcode: 'NFA' },
  { given_name: 'Philippa', family_name: 'Quixley', date_of_birth: '1977-04-13', sex: 'female', postcode: 'NFA' },
  { given_name: 'Philippa', family_name: 'Quixley', date_of_birth: '1978-04-12', sex: 'female', postcode: 'WX9 9ZZ' },
  { given_name: 'Pippa', family_name: 'Quixly', date_of_birth: '1977-06-12', sex: 'female', postcode: 'WX2 3CD' },
];

/** Make referrals through the intake API in the signed-in page (cookie + CSRF header). */
async function refer(page, people) {
  return page.evaluate(async (people) => {
    const csrf = document.querySelector('input[name=csrf_token]').value;
    const out = [];
    for (const [i, person] of people.entries()) {
      const r = await fetch('/api/v1/intake/referrals', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ person, source_agency: 'police', reason: `Linkage browser test ${i}`, consent: true, confirm_new_person: true }),
      });
      out.push({ status: r.status, body: await r.json() });
    }
    return out;
  }, people);
}

async function openPairs(page) {
  return page.evaluate(async () => (await fetch('/api/v1/linking/pairs')).json());
}

test('triage runs the linkage, confirms one pair and rejects another', async () => {
  const page = await newPage(browser);
  try {
    await withDiagnostics(page, 'linking-review', async () => {
      await login(page, haven.base, 'triage', haven.password);
      const made = await refer(page, PEOPLE);
      for (const m of made) assert.equal(m.status, 201, JSON.stringify(m.body));
      const ids = new Set(made.map((m) => m.body.person_id));

      await page.goto(`${haven.base}/linking`);
      assert.equal((await page.locator('main h1').innerText()).trim(), 'Possible duplicate records');
      await Promise.all([page.waitForURL(/done=run/), page.click('main button:has-text("Run linkage now")')]);
      assert.match(await mainText(page), /Link run finished/);
      await screenshot(page, 'linking-queue');

      const ours = (await openPairs(page)).filter((p) => ids.has(p.a.id) && ids.has(p.b.id));
      assert.ok(ours.length >= 2, `two uncertain pairs among the new records: ${JSON.stringify(ours.map((p) => [p.a.id, p.b.id, p.probability]))}`);
      const confirm = ours[0];
      // A pair that the merge leaves in the queue (it does not involve the merged record).
      const reject = ours.find((p) => p.id !== confirm.id && p.a.id !== confirm.b.id && p.b.id !== confirm.b.id);
      assert.ok(reject, `a second pair independent of the first: ${JSON.stringify(ours.map((p) => [p.a.id, p.b.id]))}`);

      // Side by side, with the explanation.
      const section = page.locator(`#pair-${confirm.id}`);
      assert.match(await section.innerText(), /Quixl/);
      await section.locator('summary').click();
      assert.match(await section.innerText(), /date of birth/);

      await Promise.all([page.waitForURL(/done=confirmed/), section.locator('button:has-text("Same person")').click()]);
      assert.match(await mainText(page), /Confirmed as the same person/);
      assert.equal(await page.locator(`#pair-${confirm.id}`).count(), 0, 'the confirmed pair has left the queue');
      assert.equal(await page.locator(`form[action="/linking/people/${confirm.b.id}/unmerge"]`).count(), 1, 'unmerge offered');

      const rejectSection = page.locator(`#pair-${reject.id}`);
      await Promise.all([page.waitForURL(/done=rejected/), rejectSection.locator('button:has-text("Different people")').click()]);
      assert.match(await mainText(page), /will not be suggested again/);
      assert.equal(await page.locator(`#pair-${reject.id}`).count(), 0, 'the rejected pair has left the queue');
      // A new run does not bring it back.
      await Promise.all([page.waitForURL(/done=run/), page.click('main button:has-text("Run linkage now")')]);
      const again = await openPairs(page);
      assert.ok(!again.some((p) => p.a.id === reject.a.id && p.b.id === reject.b.id), 'a rejected pair is not suggested again');

      // Unmerge puts the record back.
      await Promise.all([
        page.waitForURL(/done=unmerged/),
        page.locator(`form[action="/linking/people/${confirm.b.id}/unmerge"] button`).click(),
      ]);
      assert.match(await mainText(page), /Unmerged/);
      await screenshot(page, 'linking-unmerged');
    });
  } finally {
    await page.context().close();
  }
});

test('the figures page shows people, not incidents, to a commissioner', async () => {
  const page = await newPage(browser);
  try {
    await withDiagnostics(page, 'linking-figures', async () => {
      await login(page, haven.base, 'commissioner', haven.password);
      await page.goto(`${haven.base}/linking/figures`);
      const text = await mainText(page);
      for (const s of ['Individuals net of repeats', 'Repeat victims', 'Serial perpetrators']) assert.ok(text.includes(s), s);
    });
  } finally {
    await page.context().close();
  }
});
