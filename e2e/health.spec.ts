import { expect, test } from '@playwright/test';

test('the console answers its health check', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  expect((await res.json()).ok).toBe(true);
});
