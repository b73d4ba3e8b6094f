import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { vigil } from '../support/vigil.js';
import { tempDir } from '../support/temp-dir.js';

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('vigil demo', () => {
  it(
    'runs from nothing on the embedded default, and again, never touching a configured server or chat',
    { timeout: 180_000 },
    async () => {
      // Before the second run, a vigil.yaml (and VIGIL_CONFIG) names a server and a Telegram chat.
      let serverRequests = 0;
      const server = createServer((_request, response) => {
        serverRequests++;
        response.end('Ok.\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const fake = await startFakeTelegram('5:demo-token');
      const configured =
        `warehouse:\n  server:\n    url: http://127.0.0.1:${(server.address() as AddressInfo).port}\n` +
        `notify:\n  telegram:\n    token: 5:demo-token\n    chatId: -1\n    apiRoot: ${fake.apiRoot}\n`;
      for (const run of [1, 2]) {
        if (run === 2) writeFileSync(join(dir.path, 'vigil.yaml'), configured);
        const env: Record<string, string> = run === 2 ? { VIGIL_CONFIG: join(dir.path, 'vigil.yaml') } : {};
        const result = await vigil(['demo'], { cwd: dir.path, env });
        expect(result.code, `run ${run}: ${result.stderr}`).toBe(0);
        const first = result.stderr.split('\n')[0] ?? '';
        expect(first).toMatch(/^vigil demo: on its own embedded warehouse \(\S+\/\.vigil\/warehouse\) and outbox /);
        expect(first).toMatch(/; vigil\.yaml and VIGIL_CONFIG are not used$/);
        expect(result.stderr).toMatch(/1\. simulated [\d,]+ feed actions and [\d,]+ messages/);
        expect(result.stderr).toMatch(
          /2\. computed the daily slices of \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2} into vigil\.daily_slices/,
        );
        for (const value of ['os=Android', 'os=iOS', 'os=unknown', 'gender=0', 'gender=1'])
          expect(result.stdout).toContain(`  ${value} `);
        expect(result.stderr).toMatch(
          /3\. sent the daily report for \d{4}-\d{2}-\d{2} to .*\/\.vigil\/outbox\/report-/,
        );
        expect(result.stderr).toMatch(/4\. checked the window .*: anomalies in [^\n]*views/);
        expect(result.stdout).toContain('Next, try:');
        expect(result.stdout).toMatch(/The report:\n {2}Good morning! Metrics for \w+day, /);
        expect(result.stdout).toMatch(
          /Pictures:\n {2}\S+\/report-\d{4}-\d{2}-\d{2}\.png\n {2}\S+\/alert-\S+-started\.png/,
        );
        const pictures =
          result.stdout
            .split('Pictures:\n')[1]
            ?.split('\n\n')[0]
            ?.split('\n')
            .map((line) => line.trim()) ?? [];
        expect(pictures.length).toBeGreaterThanOrEqual(2);
        for (const picture of pictures) expect(existsSync(picture), picture).toBe(true);
        const outbox = readdirSync(join(dir.path, '.vigil/outbox'));
        expect(
          outbox
            .filter((f) => f.startsWith('report-'))
            .map((f) => f.split('.').pop())
            .sort(),
        ).toEqual(['json', 'png', 'txt']);
        // The demo's drop in the feed: its metrics that start together are one grouped message. (This
        // run's pictures, not the outbox's: two runs either side of a window's end each alert in their own.)
        const alerts = pictures.map((path) => path.split('/').pop() ?? '').filter((f) => f.startsWith('alert-'));
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toMatch(/^alert-group-.*-started\.png$/);
        expect(outbox).toContain(alerts[0]);
      }
      expect(serverRequests).toBe(0);
      expect(fake.attempts).toEqual([]);
      server.close();
      await fake.close();
    },
  );
});
