/**
 * Test support only: a small ClickHouse-HTTP-compatible server over chDB, so the official
 * @clickhouse/client's real HTTP path can be exercised without a ClickHouse server.
 *
 * Speaks the parts of the protocol the client uses: `GET /ping`; the query in the URL
 * (`?query=`) or the body, or both (then the body is the INSERT's data); `database`,
 * `default_format`, `param_*` and settings as URL parameters; Basic or X-ClickHouse-User/Key
 * authentication; ClickHouse's error text, `X-ClickHouse-Exception-Code` and status codes.
 *
 * Test controls: `POST /__faults` with `{"status":503,"count":2}` (optionally a `body`) or
 * `{"reset":true,"count":1}` makes the next requests fail; `GET /__stats` counts the requests seen.
 *
 * Run: node --import tsx clickhouse-http-front.ts <data-dir> <user> <password> [<server-config.xml>]; prints
 * `listening <port>`. The config file (e.g. one naming ZooKeeper for KeeperMap tables) is the engine's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Session } from 'chdb';

const [directory = '', user = 'default', password = '', configFile] = process.argv.slice(2);
const session =
  configFile === undefined
    ? new Session(directory)
    : new Session(directory, { connectionArgs: [`--config-file=${configFile}`] });

/** URL parameters that are part of the HTTP protocol rather than ClickHouse settings. */
const PROTOCOL_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'user',
  'password',
  'query_id',
  'session_id',
  'session_timeout',
  'compress',
  'decompress',
]);
/** Settings that only shape the HTTP exchange; chDB has no HTTP layer to apply them to. */
const HTTP_ONLY_SETTINGS = new Set([
  'wait_end_of_query',
  'enable_http_compression',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'buffer_size',
  'http_zlib_compression_level',
  'cancel_http_readonly_queries_on_client_close',
]);
const STATUS_BY_CODE: Record<number, number> = { 62: 400, 47: 400, 60: 404, 81: 404, 516: 403, 497: 403, 164: 403 };

let faults: { status?: number; reset?: boolean; body?: string; count: number } = { count: 0 };
let requests = 0;
let queue: Promise<unknown> = Promise.resolve();

const server = createServer((request, response) => {
  const work = queue.then(() => handle(request, response));
  queue = work.catch(() => undefined);
});

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://front');
  const body = await readBody(request);
  if (url.pathname === '/__faults') {
    faults = JSON.parse(body) as typeof faults;
    return void response.end('ok');
  }
  if (url.pathname === '/__stats') return void response.end(JSON.stringify({ requests }));
  requests++;
  if (faults.count > 0) {
    faults.count--;
    if (faults.reset) return void request.socket.destroy();
    response.writeHead(faults.status ?? 503, { 'Content-Type': 'text/html' });
    return void response.end(faults.body ?? '<html><body>Service Unavailable</body></html>');
  }
  if (url.pathname === '/ping') return void response.end('Ok.\n');

  const [givenUser, givenPassword] = credentials(request, url);
  if (givenUser !== user || givenPassword !== password) {
    return fail(
      response,
      516,
      'AUTHENTICATION_FAILED',
      `${givenUser}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }

  const urlQuery = url.searchParams.get('query');
  const query = urlQuery === null ? body : body === '' ? urlQuery : `${urlQuery}\n${body}`;
  const params: Record<string, string> = {};
  const settings: [string, string][] = [];
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('param_')) params[name.slice(6)] = unescapeTsv(value);
    else if (!PROTOCOL_PARAMS.has(name) && !HTTP_ONLY_SETTINGS.has(name)) settings.push([name, value]);
  }
  try {
    session.query(`USE ${url.searchParams.get('database') ?? 'default'}`);
    for (const [name, value] of settings) session.query(`SET ${name} = '${value.replace(/'/g, "\\'")}'`);
    try {
      const result = await session.queryBindAsync(query, params, {
        format: url.searchParams.get('default_format') ?? 'TabSeparated',
      });
      response.writeHead(200, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Summary': JSON.stringify({ read_rows: String(result.rowsRead) }),
      });
      response.end(Buffer.from(result.bytes()));
    } finally {
      for (const [name] of settings) session.query(`SET ${name} = DEFAULT`);
    }
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const match = /Code: (\d+)\. DB::Exception: (.*) \(([A-Z0-9_]+)\)/s.exec(text);
    if (match) fail(response, Number(match[1]), match[3] ?? 'UNKNOWN', match[2] ?? text);
    else fail(response, 1001, 'STD_EXCEPTION', text);
  }
}

/** The server reads a parameter value in TabSeparated escaping before parsing it as its type. */
function unescapeTsv(value: string): string {
  const named: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0' };
  return value.replace(/\\(.)/gs, (_whole, char: string) => named[char] ?? char);
}

function fail(response: ServerResponse, code: number, type: string, message: string): void {
  response.writeHead(STATUS_BY_CODE[code] ?? 500, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(code),
  });
  response.end(
    `Code: ${code}. DB::Exception: ${message.replace(/\.$/, '')}. (${type}) (version 26.7.2.1 (chdb front))\n`,
  );
}

function credentials(request: IncomingMessage, url: URL): [string, string] {
  const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  const headerUser = request.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') return [headerUser, String(request.headers['x-clickhouse-key'] ?? '')];
  return [url.searchParams.get('user') ?? 'default', url.searchParams.get('password') ?? ''];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  session.close();
  process.exit(0);
});
