// Browser tests for the walking skeleton (issue 2): sign-in per role,
// typo-tolerant search, making a referral, a wrong password, and a
// caseworker refused the user admin page. One Haven server for the file.
import { after, before, describe, test } from 'node:test';
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

/** A fresh, signed-in page for `user`. Close its context when done. */
async function signedIn(user) {
  const page = await newPage(browser);
  await withDiagnostics(page, `login-${user}`, () => login(page, haven.base, user, haven.password));
  return page;
}

/** What each demo user must see on their dashboard (role hint, heading, queue). */
const DASHBOARDS = {
  admin: { role: 'System administrator', heading: 'Administration', text: ['Active users', 'Audit log entries'], nav: ['Users', 'Audit log'], noNav: ['Find a person', 'New referral'] },
  triage: { role: 'Front-door triage', heading: 'Front door', text: ['Triage queue', 'New referrals awaiting triage'], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  idva: { role: 'Caseworker', heading: "My team's caseload", text: ["My team's open referrals"], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  outreach: { role: 'Caseworker', heading: "My team's caseload", text: ["My team's open referrals"], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  refuge: { role: 'Accommodation manager', heading: "My team's caseload", text: ["My team's open referrals"], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  marac: { role: 'MARAC coordinator', heading: 'MARAC', text: ['High-risk referrals not yet closed'], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  police: { role: 'Partner agency representative', heading: "My agency's referrals", text: ["My agency's most recent referrals"], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  children: { role: 'Partner agency representative', heading: "My agency's referrals", text: ["My agency's most recent referrals"], nav: ['Find a person', 'New referral'], noNav: ['Users', 'Audit log'] },
  commissioner: { role: 'Commissioner / analyst', heading: 'Partnership figures', text: ['Referrals in the last 12 months', 'aggregate figures only'], nav: ['Dashboard'], noNav: ['Find a person', 'New referral', 'Users', 'Audit log'] },
};

/** Names of people on the triage queue (the oldest, highest-risk referrals). */
async function triageQueueNames() {
  const page = await signedIn('triage');
  try {
    return await page.locator('main table a[href^="/people/"]').allInnerTexts();
  } finally {
    await page.context().close();
  }
}

describe('sign in as each role', () => {
  for (const [user, want] of Object.entries(DASHBOARDS)) {
    test(`${user} sees the right dashboard`, async () => {
      const page = await signedIn(user);
      try {
        await withDiagnostics(page, `dashboard-${user}`, async () => {
          assert.equal(new URL(page.url()).pathname, '/', 'signed-in users land on the dashboard');
          await screenshot(page, `dashboard-${user}`);
          assert.equal((await page.locator('main h1').innerText()).trim(), want.heading);
          const text = await mainText(page);
          assert.ok(text.includes(want.role), `role label "${want.role}" on the dashboard`);
          for (const t of want.text) assert.ok(text.includes(t), `dashboard shows "${t}"`);
          const nav = (await page.locator('header nav a').allInnerTexts()).map((s) => s.trim());
          for (const n of want.nav) assert.ok(nav.includes(n), `nav has "${n}" (nav: ${nav.join(', ')})`);
          for (const n of want.noNav) assert.ok(!nav.includes(n), `nav has no "${n}" (nav: ${nav.join(', ')})`);
          assert.ok((await page.locator('header .who').innerText()).includes(user), 'header names the signed-in user');
        });
      } finally {
        await page.context().close();
      }
    });
  }

  test('the session cookie survives in Chromium (Secure cookie on http://127.0.0.1)', async () => {
    const page = await signedIn('triage');
    try {
      await withDiagnostics(page, 'session-cookie', async () => {
        const cookies = await page.context().cookies(haven.base);
        const session = cookies.find((c) => c.name === 'haven_session');
        assert.ok(session, `Chromium kept the session cookie (cookies: ${cookies.map((c) => c.name).join(', ') || 'none'})`);
        assert.equal(session.secure, true, 'Secure');
        assert.equal(session.httpOnly, true, 'HttpOnly');
        assert.equal(session.sameSite, 'Strict', 'SameSite=Strict');
        assert.equal(await page.evaluate(() => document.cookie.includes('haven_session')), false, 'not readable from script');
        // A second page load is still signed in.
        const r = await page.goto(`${haven.base}/people`);
        assert.equal(r.status(), 200);
        assert.equal(new URL(page.url()).pathname, '/people');
      });
    } finally {
      await page.context().close();
    }
  });

  test('the commissioner sees counts and never a person', async () => {
    const names = await triageQueueNames();
    assert.ok(names.length > 0, 'the triage queue names some people to look for');
    const page = await signedIn('commissioner');
    try {
      await withDiagnostics(page, 'commissioner-no-names', async () => {
        await screenshot(page, 'commissioner-dashboard');
        const cards = await page.locator('main .card').count();
        assert.ok(cards >= 2, `aggregate count cards shown (${cards})`);
        assert.equal(await page.locator('a[href^="/people"]').count(), 0, 'no links to people');
        assert.equal(await page.locator('main table').count(), 0, 'no table of people');
        const text = await mainText(page);
        for (const n of names) assert.ok(!text.includes(n), `commissioner dashboard must not name ${n}`);
        const r = await page.goto(`${haven.base}/people?q=${encodeURIComponent(names[0])}`);
        assert.equal(r.status(), 403, 'person search refused');
        await screenshot(page, 'commissioner-search-refused');
      });
    } finally {
      await page.context().close();
    }
  });
});

/** One plausible typo: replace an inner vowel (Smith → Smyth), else double an inner letter. */
function typo(name) {
  const swap = { a: 'e', e: 'a', i: 'y', o: 'u', u: 'o' };
  for (let i = 1; i < name.length; i++) {
    if (swap[name[i]]) return name.slice(0, i) + swap[name[i]] + name.slice(i + 1);
  }
  const i = Math.min(2, name.length - 1);
  return name.slice(0, i) + name[i] + name.slice(i);
}

test('search with a typo finds the person and opens their record', async () => {
  const page = await signedIn('triage');
  try {
    await withDiagnostics(page, 'search-typo', async () => {
      // A real name from the UI: the first person on the triage queue.
      const real = (await page.locator('main table a[href^="/people/"]').first().innerText()).trim();
      const [given, ...rest] = real.split(' ');
      const family = rest.join(' ');
      const misspelt = `${typo(given)} ${typo(family)}`;
      assert.notEqual(misspelt, real);
      console.log(`searching for "${misspelt}" to find "${real}"`);

      await page.click('header nav a:text-is("Find a person")');
      await page.waitForURL((u) => u.pathname === '/people');
      await screenshot(page, 'search-empty');
      // Type as a person would; htmx fetches live results as they type.
      await page.locator('#q').pressSequentially(misspelt, { delay: 20 });
      const hit = page.locator('#results a[href^="/people/"]', { hasText: real }).first();
      await hit.waitFor({ state: 'visible' });
      assert.equal(new URL(page.url()).pathname, '/people', 'live results came without a page load');
      await screenshot(page, 'search-typo-results');

      const href = await hit.getAttribute('href');
      await Promise.all([page.waitForURL((u) => u.pathname === href), hit.click()]);
      assert.equal((await page.locator('main h1').innerText()).trim(), real);
      const text = await mainText(page);
      assert.ok(text.includes('Referrals'), 'the record lists referrals');
      await screenshot(page, 'person-record');
    });
  } finally {
    await page.context().close();
  }
});

test('a partner agency makes a referral through the form and lands on the person', async () => {
  const page = await signedIn('police');
  try {
    await withDiagnostics(page, 'make-referral', async () => {
      // The quick referral form (the full intake form is tested in intake.test.mjs).
      await page.goto(`${haven.base}/referrals/new`);
      await page.getByLabel('Given name').fill('Marigold');
      await page.getByLabel('Family name').fill('Quennell');
      await page.getByLabel('Date of birth').fill('14/02/1991');
      await page.locator('fieldset#f-person-sex').getByLabel('Female', { exact: true }).check();
      await page.getByLabel('Postcode', { exact: true }).fill('SO23 8UJ');
      await page.getByLabel('Referred by').selectOption({ label: 'Police' });
      await page.getByLabel('What happened and what help is needed').fill('Officers attended a report of shouting; she asked for support and a safety plan.');
      await page.locator('fieldset#f-consent').getByLabel('Yes', { exact: true }).check();
      await page.locator('fieldset#f-safe_to_call').getByLabel('Yes', { exact: true }).check();
      await page.locator('fieldset#f-safe_to_text').getByLabel('No', { exact: true }).check();
      await page.getByLabel('Safe times to contact').fill('Weekdays 10am to 2pm');
      await page.getByLabel('Safe phone number').fill('07700 900123');
      await screenshot(page, 'referral-form-filled');

      await Promise.all([page.waitForURL((u) => /^\/people\/\d+$/.test(u.pathname)), page.click('main button:text-is("Send referral")')]);
      await screenshot(page, 'referral-created-person');
      assert.equal((await page.locator('main h1').innerText()).trim(), 'Marigold Quennell');
      const text = await mainText(page);
      assert.ok(text.includes('Officers attended a report of shouting'), 'the new referral is on the record');
      assert.ok(text.includes('14/02/1991') || text.includes('1991-02-14'), `date of birth shown: ${text.slice(0, 400)}`);
    });
  } finally {
    await page.context().close();
  }
});

test('a referral form with mistakes shows field errors and keeps what was typed', async () => {
  const page = await signedIn('triage');
  try {
    await withDiagnostics(page, 'referral-errors', async () => {
      await page.goto(`${haven.base}/referrals/new`);
      await page.getByLabel('Given name').fill('Rowena');
      await page.getByLabel('Date of birth').fill('31/02/1990');
      const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/referrals') && r.request().method() === 'POST'), page.click('main button:text-is("Send referral")')]);
      assert.equal(resp.status(), 422);
      await screenshot(page, 'referral-form-errors');
      assert.ok(await page.locator('.error-summary').isVisible(), 'error summary shown');
      assert.equal(await page.getByLabel('Given name').inputValue(), 'Rowena', 'keeps what was typed');
      assert.ok((await page.locator('.error-summary').innerText()).includes('Date of birth'), 'names the date of birth');
    });
  } finally {
    await page.context().close();
  }
});

test('a wrong password shows an error and does not sign in', async () => {
  const page = await newPage(browser);
  try {
    await withDiagnostics(page, 'wrong-password', async () => {
      await page.goto(`${haven.base}/login`);
      await page.fill('input[name=username]', 'triage');
      await page.fill('input[name=password]', `${haven.password}-wrong`);
      const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.click('button[type=submit]')]);
      assert.equal(resp.status(), 401);
      await screenshot(page, 'login-wrong-password');
      assert.equal(new URL(page.url()).pathname, '/login');
      const err = await page.locator('.error-summary').innerText();
      assert.ok(err.includes('The username or password is not right'), `error shown: ${err}`);
      assert.equal(await page.inputValue('input[name=password]'), '', 'password is not echoed back');
      const cookies = await page.context().cookies(haven.base);
      assert.ok(!cookies.some((c) => c.name === 'haven_session' && c.value), 'no session cookie');
      const r = await page.goto(`${haven.base}/`);
      assert.equal(new URL(page.url()).pathname, '/login', `still signed out (status ${r.status()})`);
    });
  } finally {
    await page.context().close();
  }
});

test('a caseworker is refused the user admin page', async () => {
  const page = await signedIn('idva');
  try {
    await withDiagnostics(page, 'idva-admin-refused', async () => {
      const r = await page.goto(`${haven.base}/admin/users`);
      await screenshot(page, 'idva-admin-users-403');
      assert.equal(r.status(), 403);
      assert.equal((await page.locator('main h1').innerText()).trim(), 'You cannot view this page');
      assert.equal(await page.locator('main table').count(), 0, 'no user list leaked');
      // The admin sees the same page.
      const admin = await signedIn('admin');
      try {
        const ra = await admin.goto(`${haven.base}/admin/users`);
        assert.equal(ra.status(), 200);
        await screenshot(admin, 'admin-users');
        assert.equal((await admin.locator('main h1').innerText()).trim(), 'Users');
        assert.ok((await mainText(admin)).includes('idva'), 'the user list names idva');
        const audit = await admin.goto(`${haven.base}/admin/audit`);
        assert.equal(audit.status(), 200);
        await screenshot(admin, 'admin-audit');
      } finally {
        await admin.context().close();
      }
    });
  } finally {
    await page.context().close();
  }
});

test('pages fit a tablet screen without sideways scrolling', async () => {
  const page = await newPage(browser, { viewport: { width: 768, height: 1024 } });
  try {
    await withDiagnostics(page, 'tablet', async () => {
      await login(page, haven.base, 'triage', haven.password);
      for (const [path, name] of [['/', 'tablet-dashboard'], ['/people?q=Ford', 'tablet-search'], ['/referrals/new', 'tablet-referral-form']]) {
        await page.goto(`${haven.base}${path}`);
        await screenshot(page, name);
        const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
        assert.ok(scroll <= width, `${path} is ${scroll}px wide in a ${width}px window`);
      }
    });
  } finally {
    await page.context().close();
  }
});
