import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { busyboxLayer, type Registry, startRegistry } from '../tests/runner/oci-fixture';
import { signUpNewUser } from './helpers';

/**
 * A template from a Dockerfile in the console: the editor shows the API's refusal on the line it
 * names, then a tiny recipe (FROM a busybox image the test pushes to a real registry on loopback,
 * as the other template specs do: nothing is fetched from outside) is created with the keyboard,
 * and its build's steps are followed until the template is ready.
 */
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let registry: Registry;
let image = '';

test.beforeAll(async ({ browser }) => {
  registry = await startRegistry();
  image = `${registry.push('e2e/recipe-base', { layers: [busyboxLayer()], config: { Env: ['PATH=/bin'] } })}:latest`;
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  await context.close();
  await registry?.stop();
});

test('write a Dockerfile, see a refused line inline, build it and follow its steps to ready', async () => {
  test.setTimeout(240_000);
  const { personalSlug: org } = await signUpNewUser(page, 'recipe');
  await page.goto(`/${org}/templates`);
  await page.getByTestId('create-recipe-template').click();
  const dialog = page.getByRole('dialog', { name: 'New template from a Dockerfile' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('e2e-recipe');
  const editor = dialog.getByRole('textbox', { name: 'Dockerfile' });
  await editor.fill(`FROM ${image}\nRUN echo hi\nHEALTHCHECK CMD true\n`);
  await dialog.getByRole('button', { name: 'Create and build' }).click();
  // The API's 400 names the line: shown under the editor and marked in its gutter.
  await expect(dialog.getByTestId('dockerfile-error')).toContainText('Line 3:');
  await expect(dialog.getByTestId('dockerfile-error')).toContainText('HEALTHCHECK');
  await expect(dialog.getByTestId('dockerfile-error-line')).toHaveText('3');
  await expect(editor).toHaveAttribute('aria-invalid', 'true');

  // Fixed with the keyboard only; Ctrl+Enter creates and builds.
  await editor.fill(`FROM ${image}\nRUN echo built-by-recipe > /greeting && echo step-output-line\nENV MODE=recipe\nCMD ["/bin/sh"]\n`);
  await editor.press('Control+Enter');

  const builds = page.getByRole('dialog', { name: 'Builds of e2e-recipe' });
  await expect(builds).toBeVisible();
  await expect(builds.getByTestId('build-log')).toContainText('build 1 succeeded', { timeout: 120_000 });
  await expect(builds.getByTestId('build-progress')).toHaveText('4 of 4 steps done');
  const run = builds.getByTestId('build-step-2');
  await expect(run).toHaveAttribute('data-state', 'done');
  await expect(run).toContainText('RUN echo built-by-recipe');
  // A step's output is under it.
  await run.locator('summary').click();
  await expect(run).toContainText('step-output-line');
  await expect(builds.getByTestId('build-step-3')).toContainText('ENV MODE="recipe"');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('template-e2e-recipe')).toContainText('ready');
});
