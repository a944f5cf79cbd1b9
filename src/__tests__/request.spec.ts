import { ServerConnection } from '@jupyterlab/services';

import { query, requestAPI, SERVER_MISSING_MESSAGE, ServerExtensionMissing } from '../request';
import { FakeServer } from './fakeServer';

describe('query', () => {
  it('is empty when no entry is defined', () => {
    expect(query({})).toBe('');
    expect(query({ a: null, b: undefined, c: '' })).toBe('');
  });

  it('joins the defined entries in order, encoded', () => {
    expect(query({ brief: 1, limit: 100 })).toBe('?brief=1&limit=100');
    expect(query({ period: 'day', backend: null })).toBe('?period=day');
    expect(query({ 'a b': 'x&y=z', n: 0 })).toBe('?a%20b=x%26y%3Dz&n=0');
  });
});

describe('requestAPI', () => {
  let server: FakeServer;
  beforeEach(() => {
    server = new FakeServer();
  });

  it('calls the API under the base URL and decodes its JSON', async () => {
    server.pollInterval = 3;
    await expect(requestAPI('', {}, server.settings())).resolves.toEqual({ poll_interval: 3 });
    const url = new URL((server.fetch.mock.calls[0][0] as Request).url);
    expect(url.origin + url.pathname).toBe('http://localhost:8888/qhybrid-lab/api');
  });

  it('raises ServerExtensionMissing for a 404 at the API root, with the install line', async () => {
    server.failures.set('', { status: 404, body: '<html>404: Not Found</html>' });
    const error = await requestAPI('', {}, server.settings()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerExtensionMissing);
    expect((error as Error).message).toBe(SERVER_MISSING_MESSAGE);
    expect(SERVER_MISSING_MESSAGE).toContain('pip install qhybrid-lab');
  });

  it("raises a ResponseError with the server's message for a 404 elsewhere", async () => {
    const error = await requestAPI('jobs/nope', {}, server.settings()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect(error).not.toBeInstanceOf(ServerExtensionMissing);
    expect((error as ServerConnection.ResponseError).response.status).toBe(404);
    expect((error as Error).message).toBe('no such job');
  });

  it('names status and status text when the error answer has no JSON message', async () => {
    server.failures.set('jobs', { status: 502, body: JSON.stringify({ detail: 'x' }) });
    const error = await requestAPI('jobs', {}, server.settings()).catch((e: unknown) => e);
    expect((error as Error).message).toBe('502 Failed');
  });

  it('raises a NetworkError when the server cannot be reached', async () => {
    server.failures.set('jobs', 'network');
    const error = await requestAPI('jobs', {}, server.settings()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConnection.NetworkError);
  });
});
