// Browser tests for intake (issue 3): the public self-referral with quick
// exit (Esc and the button leave for a neutral site, and Back does not
// return), and an agency referral that first fails validation and then
// succeeds without retyping. One Haven server for the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, mainText, newPage, screenshot, startHaven, withDiagnostics } from '../lib.mjs';

let haven;
let browser;

const NEUTRAL = 'https://www.bbc.co.uk/weather';
const START = 'https://start.example/';

before(async () => {
  haven = await startHaven({ scale: 300 });
  browser = await launch();
  console.log(`haven at ${haven.base}`);
});

after(async () => {
  await browser?.close();
  await haven?.stop();
});

/** A page whose outside world is stubbed: the neutral site and a start page answer locally. */
async function publicPage() {
  const page = await newPage(browser);
  await page.context().route('https://www.bbc.co.uk/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>Weather</title><h1>Weather</h1>' }));
  await page.context().route('https://start.example/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>Recipes</title><h1>Recipes</h1>' }));
  return page;
}

/** The public form's minimum fill time (robots are faster than people). */
const MIN_FILL_MS = 3200;

describe('public self-referral', () => {
  test('a survivor asks for help; the confirmation echoes nothing', async () => {
    const page = await publicPage();
    try {
      await withDiagnostics(page, 'self-referral', async () => {
        await page.goto(`${haven.base}/get-help`);
        await screenshot(page, 'intake-get-help');
        assert.ok(await page.locator('a.quick-exit').isVisible(), 'the quick-exit button is visible');
        assert.match(await mainText(page), /call 999/);
        await page.click('text=Ask for help for yourself');
        await page.waitForURL((u) => u.pathname === '/get-help/refer');
        const shown = Date.now();
        await page.fill('[name=given_name]', 'Wilhelmina');
        await page.fill('[name=what_happened]', 'My partner reads my messages and says he will take the children.');
        await page.check('input[name=presenting_needs][value=safety]');
        await page.check('input[name=presenting_needs][value=children_family]');
        await page.fill('[name=children_in_household]', '2');
        await page.fill('[name=phone]', '07700 900321');
        await page.check('input[name=safe_to_call][value=no]');
        await page.check('input[name=safe_to_text][value=yes]');
        await page.fill('[name=safe_times]', 'Weekday mornings');
        assert.equal(await page.locator('[name=website_address]').isVisible(), false, 'the spam trap is hidden from people');
        await screenshot(page, 'intake-self-referral-form');
        await page.waitForTimeout(Math.max(0, MIN_FILL_MS - (Date.now() - shown)));
        await page.click('main form button[type=submit]');
        await page.waitForURL((u) => u.pathname === '/get-help/sent');
        const text = await mainText(page);
        await screenshot(page, 'intake-self-referral-sent');
        assert.match(text, /Your form has been sent/);
        for (const secret of ['Wilhelmina', '07700', 'partner reads', 'Weekday mornings']) {
          assert.ok(!text.includes(secret), `the confirmation must not echo "${secret}"`);
        }
      });
    } finally {
      await page.context().close();
    }
  });

  test('Esc leaves for a neutral site and Back does not return', async () => {
    const page = await publicPage();
    try {
      await withDiagnostics(page, 'quick-exit-esc', async () => {
        await page.goto(START);
        await page.goto(`${haven.base}/get-help/refer`);
        await page.fill('[name=given_name]', 'Someone');
        await page.keyboard.press('Escape');
        await page.waitForURL((u) => u.href.startsWith(NEUTRAL));
        await page.goBack();
        await page.waitForLoadState('load');
        assert.equal(page.url(), START, 'Back goes to the page before Haven, not to the form');
      });
    } finally {
      await page.context().close();
    }
  });

  test('the quick-exit button leaves for a neutral site and Back does not return', async () => {
    const page = await publicPage();
    try {
      await withDiagnostics(page, 'quick-exit-button', async () => {
        await page.goto(START);
        await page.goto(`${haven.base}/get-help/refer?for=someone`);
        assert.match(await mainText(page), /Refer a friend or family member/);
        await screenshot(page, 'intake-friend-referral-form');
        await page.click('a.quick-exit');
        await page.waitForURL((u) => u.href.startsWith(NEUTRAL));
        await page.goBack();
        await page.waitForLoadState('load');
        assert.equal(page.url(), START, 'Back goes to the page before Haven, not to the form');
      });
    } finally {
      await page.context().close();
    }
  });
});

describe('agency referral', () => {
  test('fails validation, then succeeds without retyping', async () => {
    const page = await newPage(browser);
    try {
      await withDiagnostics(page, 'agency-referral', async () => {
        await login(page, haven.base, 'police', haven.password);
        await page.goto(`${haven.base}/intake/referral`);
        await page.fill('[name="person.given_name"]', 'Quenby');
        await page.fill('[name="person.family_name"]', 'Ashgrove');
        await page.fill('[name="person.date_of_birth"]', '31/02/1991');
        await page.check('input[name="person.sex"][value=female]');
        await page.fill('[name="person.postcode"]', 'WH4 7PL');
        await page.check('input[name=interpreter_needed][value=yes]');
        await page.fill('[name=interpreter_language]', 'Tigrinya');
        await page.check('input[name="household.0.role"][value=child]');
        await page.fill('[name="household.0.given_name"]', 'Liya');
        await page.fill('[name="household.0.family_name"]', 'Ashgrove');
        await page.fill('[name="household.0.date_of_birth"]', '14/05/2018');
        await page.fill('[name="household.0.school"]', 'Wessex Primary');
        await page.fill('[name="perpetrator.given_name"]', 'Dorian');
        await page.fill('[name="perpetrator.family_name"]', 'Ashgrove');
        await page.selectOption('[name="perpetrator.relationship"]', 'intimate_partner');
        await page.selectOption('[name=source_agency]', 'police');
        await page.fill('[name=reason]', 'Officers attended; neighbour reported screaming.');
        await page.check('input[name=presenting_needs][value=accommodation]');
        await page.check('input[name=consent][value=yes]');
        await page.check('input[name=safe_to_call][value=no]');
        await page.check('input[name=safe_to_text][value=yes]');
        await page.fill('[name=phone]', '07700 900654');
        await page.click('button[name=action][value=send]:visible');
        await page.waitForLoadState('load');
        const summary = page.locator('.error-summary');
        assert.ok(await summary.isVisible(), 'the error summary is shown');
        assert.match(await summary.innerText(), /date of birth must be a real date/);
        await screenshot(page, 'intake-agency-referral-errors');
        // Nothing typed was lost.
        assert.equal(await page.inputValue('[name="person.given_name"]'), 'Quenby');
        assert.equal(await page.inputValue('[name="household.0.school"]'), 'Wessex Primary');
        assert.equal(await page.inputValue('[name=interpreter_language]'), 'Tigrinya');
        assert.equal(await page.inputValue('[name=reason]'), 'Officers attended; neighbour reported screaming.');
        assert.ok(await page.isChecked('input[name=presenting_needs][value=accommodation]'));
        assert.ok(await page.isChecked('input[name=safe_to_text][value=yes]'));
        // Correct the one field and send again (Enter sends; it does not add a household row).
        await page.fill('[name="person.date_of_birth"]', '28/02/1991');
        await page.press('[name="person.date_of_birth"]', 'Enter');
        await page.waitForURL((u) => u.pathname.startsWith('/intake/referrals/'));
        const text = await mainText(page);
        await screenshot(page, 'intake-agency-referral-sent');
        for (const s of ['Referral sent', 'Quenby Ashgrove', 'Liya Ashgrove', 'Wessex Primary', 'Dorian Ashgrove', 'Needed: Tigrinya', 'Somewhere safe to live']) {
          assert.ok(text.includes(s), `the referral page shows "${s}"`);
        }
      });
    } finally {
      await page.context().close();
    }
  });
});
