// Browser test for the commissioning pages (issue 4): a commissioner opens
// the live figures and the needs assessment run on them, changes an input,
// and sees the figures with their formulas; no person is ever named.
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

describe('commissioning', () => {
  test('a commissioner sees live figures and the capacity model on them', async () => {
    const page = await newPage(browser);
    try {
      await withDiagnostics(page, 'commissioning', async () => {
        await login(page, haven.base, 'commissioner', haven.password);

        await page.goto(`${haven.base}/commissioning`);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Partnership figures');
        const overview = await mainText(page);
        assert.match(overview, /Referrals received/);
        assert.match(overview, /Police domestic abuse incidents/);
        await screenshot(page, 'commissioning-overview');

        await page.getByRole('link', { name: 'Needs assessment and capacity plan' }).click();
        await page.waitForURL(/\/commissioning\/needs/);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Needs assessment and capacity plan');
        let text = await mainText(page);
        assert.match(text, /Individuals in police incidents, net of repeats/);
        assert.match(text, /IDVAs required/);
        // Each figure carries its formula (a "×" or "÷" with the live inputs) and its source.
        assert.match(text, /\d[\d,]* × \(1 − [\d.]+%\)/);
        await screenshot(page, 'commissioning-needs');

        // Enter the women aged 16+ and recalculate: the prevalence-based figures appear.
        await page.locator('details.settings summary').click();
        await page.getByLabel('Women aged 16 and over').fill('100,000');
        await page.getByRole('button', { name: 'Recalculate' }).click();
        await page.waitForURL(/women_16_plus=100/);
        text = await mainText(page);
        assert.match(text, /1,898/, '100,000 × 7.3% × 26% women at high or medium risk');
        await screenshot(page, 'commissioning-needs-women');

        // A mistake names the field and keeps what was typed.
        await page.locator('details.settings summary').click().catch(() => {});
        await page.getByLabel('IDVA caseload, high risk').fill('lots');
        await page.getByRole('button', { name: 'Recalculate' }).click();
        await page.waitForURL(/caseload_high=lots/);
        text = await mainText(page);
        assert.match(text, /Caseload high must be a number/);
        await screenshot(page, 'commissioning-needs-error');

        // No person's record or name is linked from any of it.
        await page.goto(`${haven.base}/commissioning/needs`);
        assert.equal(await page.locator('main a[href^="/people/"]').count(), 0);

        // The PDF downloads.
        const res = await page.request.get(`${haven.base}/commissioning/needs/report.pdf`);
        assert.equal(res.status(), 200);
        assert.equal(res.headers()['content-type'], 'application/pdf');
      });
    } finally {
      await page.context().close();
    }
  });
});
