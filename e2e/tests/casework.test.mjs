// Browser tests for casework (issue 3): DASH scoring and professional
// judgement, a MARAC meeting's agenda, research visible only to MARAC
// members, and a MARAC action on its owner agency's dashboard.
// One Haven demo server for the file; the tests run in order and share the
// person and MARAC case they create.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, mainText, newPage, screenshot, startHaven, withDiagnostics } from '../lib.mjs';

let haven;
let browser;
/** People made for these tests: {id, name}. */
const people = {};
let caseId;

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

/** A new person with one self-referral, made through the JSON API with the page's session. */
async function newPerson(page, given, family) {
  const me = await (await page.request.get(`${haven.base}/api/v1/me`)).json();
  const res = await page.request.post(`${haven.base}/api/v1/referrals`, {
    headers: { 'x-csrf-token': me.csrf_token },
    data: {
      person: { given_name: given, family_name: family, date_of_birth: '1991-04-05', sex: 'female', postcode: 'WX9 9ZZ' },
      source_agency: 'self',
      reason: 'Self-referral made by the browser tests.',
      consent: true,
    },
  });
  assert.equal(res.status(), 201, await res.text());
  return { id: (await res.json()).person_id, name: `${given} ${family}` };
}

/** Answer the first `yes` factors Yes and the rest No. */
async function answerDash(page, yes) {
  const rows = page.locator('#dash-form table.dash tbody tr');
  const n = await rows.count();
  assert.equal(n, 24, 'the checklist has 24 factors');
  for (let i = 0; i < n; i++) {
    await rows.nth(i).locator(`input[type=radio][value=${i < yes ? 'yes' : 'no'}]`).check();
  }
}

test('DASH: 14 yes is high and MARAC-eligible, 13 is medium', async () => {
  await as('triage', 'dash-14-13', async (page) => {
    people.thirteen = await newPerson(page, 'Thea', 'Thirteen');
    people.fourteen = await newPerson(page, 'Fran', 'Fourteen');

    await page.goto(`${haven.base}/people/${people.thirteen.id}/dash`);
    await answerDash(page, 13);
    await page.click('#dash-form button[type=submit]');
    await page.waitForSelector('#dash-result');
    let result = (await page.locator('#dash-result').innerText()).replace(/\s+/g, ' ');
    assert.match(result, /DASH score 13/);
    assert.match(result, /medium/i);
    assert.doesNotMatch(result, /MARAC-eligible/);
    assert.match(await page.locator('#eligibility').innerText(), /Not MARAC-eligible/);
    await screenshot(page, 'casework-dash-13-medium');

    await page.goto(`${haven.base}/people/${people.fourteen.id}/dash`);
    await answerDash(page, 14);
    await page.click('#dash-form button[type=submit]');
    await page.waitForSelector('#dash-result');
    result = (await page.locator('#dash-result').innerText()).replace(/\s+/g, ' ');
    assert.match(result, /DASH score 14/);
    assert.match(result, /high/i);
    assert.match(result, /MARAC-eligible/);
    assert.match(await page.locator('#eligibility').innerText(), /High risk \(DASH score 14\)/);
    await screenshot(page, 'casework-dash-14-high');
  });
});

test('DASH: professional judgement without a reason is refused and nothing is saved', async () => {
  await as('triage', 'dash-judgement', async (page) => {
    const p = await newPerson(page, 'Judy', 'Noreason');
    await page.goto(`${haven.base}/people/${p.id}/dash`);
    await answerDash(page, 4);
    await page.fill('input[name="notes.current_injury"]', 'bruised arm');
    await page.selectOption('select[name="professional_judgement.level"]', 'high');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#dash-form button[type=submit]'),
    ]);
    assert.equal(resp.status(), 422);
    await page.waitForLoadState('load');
    const summary = await page.locator('.error-summary').innerText();
    assert.match(summary, /Reason is required/);
    assert.equal(await page.inputValue('input[name="notes.current_injury"]'), 'bruised arm', 'what was typed is kept');
    assert.equal(await page.locator('#dash-form input[type=radio][value=yes]:checked').count(), 4, 'answers kept');
    assert.match(await mainText(page), /No DASH assessment recorded yet/);
    await screenshot(page, 'casework-dash-judgement-refused');
    // With a reason, the judgement raises the level.
    await page.fill('textarea[name="professional_judgement.reason"]', 'Recent strangulation');
    await page.click('#dash-form button[type=submit]');
    await page.waitForSelector('#dash-result');
    assert.match(await page.locator('#dash-result').innerText(), /Raised to high risk by professional judgement: Recent strangulation/);
  });
});

test('a MARAC meeting produces an agenda', async () => {
  const area = 'Browser Test MARAC';
  const date = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
  await as('marac', 'marac-agenda-setup', async (page) => {
    await page.goto(`${haven.base}/marac`);
    await page.fill('input[name=name]', area);
    await page.click('form[action="/marac/areas"] button[type=submit]');
    await page.waitForURL(/saved=area/);
    // Children's services is not a member of this MARAC.
    const section = page.locator('section.area', { hasText: area });
    await section.locator('details summary').click();
    await section.locator('label', { hasText: "Children's Services" }).locator('input').uncheck();
    await section.locator('button[type=submit]').click();
    await page.waitForURL(/saved=members/);
    await page.selectOption('#schedule-meeting select[name=area_id]', { label: area });
    await page.fill('#schedule-meeting input[name=meeting_date]', date);
    await page.click('#schedule-meeting button[type=submit]');
    await page.waitForURL(/\/marac\/meetings\/\d+$/);
  });
  // The front door refers the high-risk person.
  await as('triage', 'marac-refer', async (page) => {
    await page.goto(`${haven.base}/people/${people.fourteen.id}/marac`);
    await page.selectOption('select[name=area_id]', { label: area });
    await page.click('main form button[type=submit]');
    await page.waitForSelector('.success');
    const text = await page.locator('.success').innerText();
    caseId = Number(text.match(/case (\d+)/)[1]);
    assert.ok(caseId > 0);
  });
  await as('marac', 'marac-agenda', async (page) => {
    await page.goto(`${haven.base}/marac`);
    await page.locator('section.area', { hasText: area }).locator(`a:has-text("${date}")`).click();
    await page.waitForSelector('#agenda');
    const row = page.locator('#agenda tbody tr', { hasText: people.fourteen.name });
    assert.equal(await row.count(), 1, 'the referred person is on the agenda');
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /high/i);
    assert.match(text, /Wessex|front door|County|DA|Service/i, 'names the referring agency');
    await screenshot(page, 'casework-marac-agenda');
  });
});

test("a partner agency's MARAC research is hidden from non-members", async () => {
  const secret = 'Two previous call-outs; suspect on bail with conditions';
  await as('police', 'marac-research-write', async (page) => {
    await page.goto(`${haven.base}/marac/cases/${caseId}`);
    await page.fill('#research-form textarea[name=content]', secret);
    await page.click('#research-form button[type=submit]');
    await page.waitForSelector('.success');
    assert.match(await mainText(page), new RegExp(secret));
    await screenshot(page, 'casework-marac-case-research');
  });
  await as('children', 'marac-research-hidden', async (page) => {
    const res = await page.goto(`${haven.base}/marac/cases/${caseId}`);
    assert.equal(res.status(), 404);
    assert.doesNotMatch(await mainText(page), /suspect on bail/);
  });
  await as('commissioner', 'marac-research-forbidden', async (page) => {
    const res = await page.goto(`${haven.base}/marac/cases/${caseId}`);
    assert.equal(res.status(), 403);
  });
  await as('idva', 'marac-research-member', async (page) => {
    await page.goto(`${haven.base}/marac/cases/${caseId}`);
    assert.match(await mainText(page), new RegExp(secret));
  });
});

test("a MARAC action's owner agency sees it on their dashboard", async () => {
  const what = 'Flag the address for an urgent police response';
  const due = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
  await as('marac', 'marac-action-add', async (page) => {
    await page.goto(`${haven.base}/marac/cases/${caseId}`);
    await page.fill('#action-form textarea[name=description]', what);
    await page.selectOption('#action-form select[name=owner_agency_id]', { label: 'Wessex Constabulary' });
    await page.fill('#action-form input[name=due_date]', due);
    await page.click('#action-form button[type=submit]');
    await page.waitForSelector('.success');
    assert.match(await page.locator('#actions').innerText(), new RegExp(what));
  });
  await as('police', 'marac-action-dashboard', async (page) => {
    await page.goto(`${haven.base}/`);
    const panel = page.locator('#agency-actions');
    assert.match(await panel.innerText(), new RegExp(what));
    await screenshot(page, 'casework-police-dashboard-action');
  });
  await as('children', 'marac-action-not-theirs', async (page) => {
    await page.goto(`${haven.base}/`);
    assert.doesNotMatch(await mainText(page), new RegExp(what));
  });
});
