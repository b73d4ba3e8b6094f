import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { formatConfig } from '../../src/config/redact.js';
import { tempDir } from '../support/temp-dir.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function write(name: string, text: string): string {
  const file = join(dir.path, name);
  writeFileSync(file, text);
  return file;
}

/** The problems of a config that must fail, as "path: message" lines. */
function problems(text: string, env: Record<string, string> = {}): string[] {
  const file = write('vigil.yaml', text);
  try {
    loadConfig({ file, env, cwd: dir.path });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('the config was accepted');
}

describe('loadConfig: where the configuration comes from', () => {
  it('needs no file: built-in defaults, paths under the working directory', () => {
    const { config, source } = loadConfig({ env: {}, cwd: dir.path });
    expect(source).toBe('built-in defaults');
    expect(config.timezone).toBe('UTC');
    expect(config.warehouse.embedded?.path).toBe(join(dir.path, '.vigil/warehouse'));
    expect(config.notify.outbox.path).toBe(join(dir.path, '.vigil/outbox'));
    expect(config.sources).toEqual({
      feed: 'simulator.feed_actions',
      messages: 'simulator.message_actions',
      receiverColumn: 'reciever_id',
    });
    expect(config.notify.telegram).toBeUndefined();
  });

  it('returns a frozen object', () => {
    const { config } = loadConfig({ env: {}, cwd: dir.path });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sources)).toBe(true);
    expect(() => {
      (config as { timezone: string }).timezone = 'Europe/Moscow';
    }).toThrow(TypeError);
  });

  it('picks up ./vigil.yaml, then VIGIL_CONFIG, then --config, in rising priority', () => {
    write('vigil.yaml', 'timezone: Europe/Moscow\n');
    write('env.yaml', 'timezone: Asia/Tokyo\n');
    write('flag.yaml', 'timezone: America/New_York\n');
    expect(loadConfig({ env: {}, cwd: dir.path }).config.timezone).toBe('Europe/Moscow');
    expect(loadConfig({ env: { VIGIL_CONFIG: 'env.yaml' }, cwd: dir.path }).config.timezone).toBe('Asia/Tokyo');
    expect(loadConfig({ file: 'flag.yaml', env: { VIGIL_CONFIG: 'env.yaml' }, cwd: dir.path }).config.timezone).toBe(
      'America/New_York',
    );
  });

  it('resolves relative paths against the config file, not the working directory', () => {
    mkdirSync(join(dir.path, 'conf'));
    const file = write(
      'conf/vigil.yaml',
      'warehouse:\n  embedded:\n    path: data\nnotify:\n  outbox:\n    path: /abs/outbox\n',
    );
    const { config } = loadConfig({ file, env: {}, cwd: '/' });
    expect(config.warehouse.embedded?.path).toBe(join(dir.path, 'conf/data'));
    expect(config.notify.outbox.path).toBe('/abs/outbox');
  });

  it('reads a server warehouse with defaults for what is not given', () => {
    const file = write(
      's.yaml',
      'warehouse:\n  server:\n    url: https://ch.example.com:8443\n    password: ${CH_PASSWORD}\n',
    );
    const { config } = loadConfig({ file, env: { CH_PASSWORD: 'from-env-123' }, cwd: dir.path });
    expect(config.warehouse.server).toEqual({
      url: 'https://ch.example.com:8443',
      username: 'default',
      password: 'from-env-123',
      database: 'default',
      requestTimeout: 300_000,
      retries: 3,
    });
    expect(config.warehouse.embedded).toBeUndefined();
  });

  it('fails on a missing explicit file', () => {
    expect(() => loadConfig({ file: 'nope.yaml', env: {}, cwd: dir.path })).toThrow(/nope\.yaml.*\n.*file not found/);
  });
});

describe('loadConfig: ${VAR} substitution', () => {
  it('replaces references inside strings, with fallbacks and $$ as a literal $', () => {
    const file = write(
      'v.yaml',
      'timezone: ${TZ_NAME}\netl:\n  target: ${DB:-analytics}.slices\nnotify:\n  outbox:\n    path: /tmp/$${HOME}/x\n',
    );
    const { config } = loadConfig({ file, env: { TZ_NAME: 'Europe/Berlin' }, cwd: dir.path });
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.etl.target).toBe('analytics.slices');
    expect(config.notify.outbox.path).toBe('/tmp/${HOME}/x');
  });

  it('reports each missing variable with its key path', () => {
    expect(problems('timezone: ${NO_SUCH_TZ}\nsources:\n  feed: ${NO_DB}.feed\n')).toEqual([
      'timezone: ${NO_SUCH_TZ} is not set in the environment; export NO_SUCH_TZ or write the value in the file',
      'sources.feed: ${NO_DB} is not set in the environment; export NO_DB or write the value in the file',
    ]);
  });

  it('cannot change the structure of the file through a value', () => {
    const file = write('v.yaml', 'timezone: ${EVIL}\n');
    const error = (() => {
      try {
        loadConfig({ file, env: { EVIL: 'UTC\nwarehouse:\n  server:\n    url: http://evil' }, cwd: dir.path });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error?.problems.map((p) => p.path)).toEqual(['timezone']);
  });
});

describe('loadConfig: one clear problem per mistake', () => {
  it('names unknown keys and the keys it knows, at any depth', () => {
    expect(problems('colour: blue\nsources:\n  feeds: a.b\n')).toEqual([
      'sources.feeds: unknown key; expected one of: feed, messages, receiverColumn',
      'colour: unknown key; expected one of: timezone, warehouse, sources, etl, report, alerts, ' +
        'schedule, serve, dashboard, database, notify',
    ]);
  });

  it('rejects a time zone that does not exist', () => {
    expect(problems('timezone: Europe/Atlantis\n')).toEqual([
      'timezone: got "Europe/Atlantis", expected an IANA time zone such as UTC or Europe/Moscow',
    ]);
  });

  it.each(['localhost:8123', 'ftp://ch.example.com', 'http://', 'not a url'])('rejects the malformed URL %j', (url) => {
    expect(problems(`warehouse:\n  server:\n    url: "${url}"\n`)).toEqual([
      `warehouse.server.url: got ${JSON.stringify(url)}, expected an http(s) URL such as ` +
        `https://clickhouse.example.com:8443`,
    ]);
  });

  it.each(['feed_actions', 'a.b.c', 'db.ta-ble', 'db.t; DROP TABLE x', '.t'])('rejects the table name %j', (name) => {
    expect(problems(`etl:\n  target: "${name}"\n`)).toEqual([
      `etl.target: got ${JSON.stringify(name)}, expected a table name of the form db.table ` +
        `(letters, digits and _ only)`,
    ]);
  });

  it('rejects a malformed duration and a bad type', () => {
    expect(
      problems('warehouse:\n  server:\n    url: http://h:8123\n    requestTimeout: soon\n    retries: many\n'),
    ).toEqual([
      'warehouse.server.requestTimeout: got "soon", expected a duration such as 30s, 15m, 1h or 500ms',
      'warehouse.server.retries: got "many", expected number',
    ]);
  });

  it('rejects both warehouses at once', () => {
    expect(problems('warehouse:\n  embedded: {}\n  server:\n    url: http://h:8123\n')).toEqual([
      'warehouse: got {"embedded":{},"server":{"url":"http://h:8123"}}, expected either embedded or server, not both',
    ]);
  });

  it('reports a missing required key', () => {
    expect(problems('notify:\n  telegram:\n    token: ${TG}\n', { TG: '1234:abcdef' })).toEqual([
      'notify.telegram.chatId: missing, expected a chat id such as -1001234567890 or @channel_name',
    ]);
  });

  it('reports YAML that does not parse, and YAML that is not a mapping', () => {
    expect(problems('timezone: [unclosed\n')[0]).toMatch(/^: YAML: /);
    expect(problems('- a\n- b\n')).toEqual([': expected a YAML mapping of keys such as timezone, warehouse, sources']);
    expect(problems('timezone: UTC\ntimezone: UTC\n')[0]).toMatch(/^: YAML: .*[Dd]uplicate|unique/);
  });

  it('lists every problem of a file at once', () => {
    expect(problems('timezone: Nowhere\netl:\n  target: x\nbogus: 1\n')).toHaveLength(3);
  });
});

describe('secrets', () => {
  const secretYaml =
    'warehouse:\n  server:\n    url: http://h:8123\n    password: ${CH_PASSWORD}\n' +
    'notify:\n  telegram:\n    token: ${TG_TOKEN}\n    chatId: -100123\n';
  const env = { CH_PASSWORD: 'pa55-w0rd-from-env', TG_TOKEN: '123456:AAE-token-from-env' };

  it('hides them when the configuration is printed, and collects them for redaction', () => {
    const { config, secrets, warnings } = loadConfig({ file: write('s.yaml', secretYaml), env, cwd: dir.path });
    const printed = formatConfig(config);
    expect(printed).not.toContain(env.CH_PASSWORD);
    expect(printed).not.toContain(env.TG_TOKEN);
    expect(printed).toContain('password: "***"');
    expect(printed).toContain('requestTimeout: 5m');
    expect(printed).toContain('chatId: "-100123"');
    expect(secrets).toEqual([env.CH_PASSWORD, env.TG_TOKEN]);
    expect(warnings).toEqual([]);
  });

  it('warns when a secret is written into the file itself', () => {
    const { warnings } = loadConfig({
      file: write('s.yaml', 'warehouse:\n  server:\n    url: http://h:8123\n    password: literal-pass\n'),
      env: {},
      cwd: dir.path,
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warehouse\.server\.password is written in .*s\.yaml; keep secrets out of files/);
    expect(warnings[0]).not.toContain('literal-pass');
  });

  it('never shows a secret value in a validation problem', () => {
    const found = problems('warehouse:\n  server:\n    url: http://h:8123\n    password: [s3cr3t-in-a-list]\n');
    expect(found).toEqual(['warehouse.server.password: got a value (hidden), expected string']);
  });
});

describe('etl settings', () => {
  it('reads the look-back and extra dimensions', () => {
    const file = write(
      'e.yaml',
      "etl:\n  lookback: 14\n  dimensions:\n    age_bucket: \"multiIf(age < 25, 'young', 'older')\"\n",
    );
    const { config } = loadConfig({ file, env: {}, cwd: dir.path });
    expect(config.etl.lookback).toBe(14);
    expect(config.etl.dimensions).toEqual({ age_bucket: "multiIf(age < 25, 'young', 'older')" });
  });

  it.each([
    [
      'os: "lower(os)"',
      'etl.dimensions.os: the name "os" is not allowed, expected a name other than the built-in ' +
        'dimensions os, gender, age',
    ],
    ['"bad name": "age"', 'etl.dimensions.bad name'],
    ['bucket: "age) UNION ALL (SELECT 1"', 'etl.dimensions.bucket'],
    ['bucket: "age; DROP TABLE x"', 'etl.dimensions.bucket'],
    ['bucket: "age -- comment"', 'etl.dimensions.bucket'],
  ])('rejects the dimension %s', (line, path) => {
    const found = problems(`etl:\n  dimensions:\n    ${line}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]?.startsWith(path.includes(': ') ? path : `${path}: `)).toBe(true);
  });

  it('rejects a look-back that is not a whole number of days from 1 to 365', () => {
    expect(problems('etl:\n  lookback: 0\n')[0]).toMatch(/^etl\.lookback: got 0, expected/);
  });
});

describe('report and alert settings', () => {
  it('reads the locale, durations and per-metric detector settings', () => {
    const file = write(
      'a.yaml',
      'report:\n  locale: ru\nalerts:\n  lag: 5m\n  repeat: 2h\n  dashboardUrl: ' +
        'https://d.example.com/{metric}\n  metrics:\n    views: { a: 3, n: 7 }\n    ctr: { enabled: false }\n',
    );
    const { config } = loadConfig({ file, env: {}, cwd: dir.path });
    expect(config.report.locale).toBe('ru');
    expect(config.alerts).toMatchObject({
      lag: 300_000,
      repeat: 7_200_000,
      dashboardUrl: 'https://d.example.com/{metric}',
    });
    // Setting a or n chooses the original's detector; a metric without settings gets the default.
    expect(config.alerts.metrics.views).toEqual({
      enabled: true,
      detector: { name: 'iqr', a: 3, n: 7, minChange: 0.2 },
      pendingWindows: 1,
    });
    expect(config.alerts.metrics.ctr.enabled).toBe(false);
    expect(config.alerts.metrics.likes).toEqual({
      enabled: true,
      detector: { name: 'seasonal', z: 4.5, minChange: 0.1 },
      pendingWindows: 1,
    });
    expect(formatConfig(config)).toContain('repeat: 2h');
  });

  it("chooses each metric's detector, and keeps each detector's settings to itself", () => {
    const file = write(
      'd.yaml',
      'alerts:\n  history: 14d\n  metrics:\n' +
        '    views: { detector: seasonal, z: 6, pendingWindows: 3 }\n    users: { detector: iqr }\n',
    );
    const { config } = loadConfig({ file, env: {}, cwd: dir.path });
    expect(config.alerts.history).toBe(14 * 86_400_000);
    expect(config.alerts.metrics.views.detector).toEqual({ name: 'seasonal', z: 6, minChange: 0.1 });
    expect(config.alerts.metrics.views.pendingWindows).toBe(3);
    // What vigil config prints is a valid vigil.yaml that means the same.
    const printed = loadConfig({ file: write('printed.yaml', formatConfig(config)), env: {}, cwd: dir.path });
    expect(printed.config.alerts).toEqual(config.alerts);
    expect(config.alerts.metrics.users.detector).toEqual({ name: 'iqr', a: 4, n: 5, minChange: 0.2 });
    expect(
      problems(
        'alerts:\n  history: 2h\n  metrics:\n    views: { detector: seasonal, a: 3 }\n    likes: { n: 4, z: 3 }\n',
      ),
    ).toEqual([
      'alerts.history: got "2h", expected a duration from 1d to 60d',
      'alerts.metrics.views.a: got 3, expected no a here: ' +
        'it is a setting of the iqr detector, and this metric uses seasonal',
      'alerts.metrics.likes.z: got 3, expected no z here: ' +
        'it is a setting of the seasonal detector, and this metric uses iqr',
    ]);
    expect(problems('alerts:\n  metrics:\n    views: { detector: prophet }\n')[0]).toMatch(
      /^alerts\.metrics\.views\.detector: got "prophet", expected one of: seasonal, iqr/,
    );
  });

  it('rejects an unknown locale, metric, or a bad duration', () => {
    expect(problems('report:\n  locale: de\nalerts:\n  repeat: often\n  metrics:\n    clicks: { a: 3 }\n')).toEqual([
      'report.locale: got "de", expected one of: en, ru',
      'alerts.repeat: got "often", expected a duration such as 30s, 15m, 1h or 500ms',
      'alerts.metrics.clicks: unknown key; expected one of: users, active_posts, views, likes, ctr, senders, messages',
    ]);
  });
});

describe('what a configuration cannot do', () => {
  it('never shows the password in a URL, in a problem or in the printed config', () => {
    const url = 'http://vigil:S3cret-in-the-url@clickhouse.example.com:8443';
    const found = problems(`warehouse:\n  server:\n    url: ${url}\n    retries: many\n`).join('\n');
    expect(found).toContain('warehouse.server.retries');
    expect(found).not.toContain('S3cret-in-the-url');
    const bad = problems(`warehouse:\n  server:\n    url: "ftp://vigil:S3cret-in-the-url@x"\n`).join('\n');
    expect(bad).toContain('got "ftp://vigil:***@x"');
    const loaded = loadConfig({
      file: write('url.yaml', `warehouse:\n  server:\n    url: ${url}\n`),
      env: {},
      cwd: dir.path,
    });
    expect(loaded.secrets).toContain('S3cret-in-the-url');
    expect(formatConfig(loaded.config)).toContain('url: http://vigil:***@clickhouse.example.com:8443');
    expect(loaded.warnings.join('\n')).toContain('warehouse.server.url carries a password');
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<b>x</b>'])(
    'takes only an http(s) dashboard link, not %s',
    (link) => {
      expect(problems(`alerts:\n  dashboardUrl: "${link}"\n`)[0]).toMatch(
        /^alerts\.dashboardUrl: got .*, expected an http\(s\) URL/,
      );
    },
  );

  it.each([
    ["file('/etc/hostname')", 'file() reads outside the row'],
    ["url('http://evil/', 'CSV')", 'url() reads outside the row'],
    ["dictGet('d', 'x', toUInt64(age))", 'dictGet() reads outside the row'],
    ['(SELECT 1)', 'not a query'],
    ["concat(os, '-', toString(age))", undefined],
    ["if(city = 'file(x)', 'a', 'b')", undefined],
  ])('limits a dimension to the row: %s', (expression, problem) => {
    const text = `etl:\n  dimensions:\n    extra: "${expression.replaceAll('"', '\\"')}"\n`;
    if (problem === undefined) {
      expect(loadConfig({ file: write('ok.yaml', text), env: {}, cwd: dir.path }).config.etl.dimensions.extra).toBe(
        expression,
      );
    } else {
      expect(problems(text).join('\n')).toContain(problem);
    }
  });

  it('bounds durations to sane ranges', () => {
    expect(problems('alerts:\n  lag: 900d\n')[0]).toBe('alerts.lag: got "900d", expected a duration from 0s to 1d');
    expect(problems('schedule:\n  retryDelay: 30d\n')[0]).toBe(
      'schedule.retryDelay: got "30d", expected a duration from 1s to 1d',
    );
    expect(
      loadConfig({ file: write('off.yaml', 'alerts:\n  noData: "off"\n'), env: {}, cwd: dir.path }).config.alerts
        .noData,
    ).toBeUndefined();
  });
});
