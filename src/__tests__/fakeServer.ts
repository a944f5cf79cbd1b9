/**
 * Test doubles for the model tests: the browser's `fetch` answering as the qhybrid-lab REST API does, and
 * run records. The model under test is real and talks to this through `ServerConnection.makeRequest`.
 */
import { ServerConnection } from '@jupyterlab/services';

import { ACTIVE_STATES, IBudgetState, ICompareGroup, IJobRecord, IJobsTable, JobStatus } from '../tokens';

/** One request the model made, without the cache-busting timestamp JupyterLab appends. */
export interface IRecordedRequest {
  method: string;
  /** The path under `/qhybrid-lab/api/` ('' for the API root). */
  endpoint: string;
  query: Record<string, string>;
  body: string;
  /** When it was made: `Date.now()`, the fake clock in the model tests. */
  at: number;
}

/** What an endpoint answers instead of its data: an HTTP error, or a network failure. */
export type Failure = { status: number; body?: string } | 'network';

const API_PREFIX = '/qhybrid-lab/api';

/**
 * A qhybrid-lab server in memory: its run log page, budgets and comparisons, and failures to inject.
 */
export class FakeServer {
  jobs: IJobRecord[] = [];
  /** `total` of `GET jobs`, when it differs from the page's length. */
  total: number | null = null;
  budgets: IBudgetState = { budgets: [], rehearse: false, blocked: [] };
  compare: ICompareGroup[] = [];
  /** The server's `poll_interval` hint in seconds (undefined: none given). */
  pollInterval: number | undefined = 1;
  /** Failures by endpoint ('' is the API root, 'jobs' the job list, ...). */
  failures = new Map<string, Failure>();
  requests: IRecordedRequest[] = [];

  /** The `fetch` to give `ServerConnection.makeSettings`. */
  readonly fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const endpoint = url.pathname.startsWith(API_PREFIX)
      ? url.pathname.slice(API_PREFIX.length).replace(/^\//, '')
      : '?';
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => {
      if (!(value === '' && /^\d+$/.test(key))) {
        query[key] = value;
      }
    });
    const body = await request.text();
    this.requests.push({ method: request.method, endpoint, query, body, at: Date.now() });
    const failure = this.failures.get(endpoint);
    if (failure === 'network') {
      throw new TypeError('Failed to fetch');
    }
    if (failure) {
      return new Response(failure.body ?? '', { status: failure.status, statusText: 'Failed' });
    }
    return this._answer(request.method, endpoint, query, body);
  });

  /** The connection settings a model under test uses. */
  settings(): ServerConnection.ISettings {
    return ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/', fetch: this.fetch });
  }

  /** The requests made to one endpoint (with any method). */
  requestsTo(endpoint: string): IRecordedRequest[] {
    return this.requests.filter(r => r.endpoint === endpoint);
  }

  /**
   * The jobs table of `jobs` as `GET table` shapes it (status filter and page only; `jobs` in table order).
   */
  tableOf(query: Record<string, string>): IJobsTable {
    const limit = Number(query.limit ?? 50);
    const offset = Number(query.offset ?? 0);
    const shown = query.status ? this.jobs.filter(j => j.status === query.status) : this.jobs;
    const byStatus: Record<string, number> = {};
    this.jobs.forEach(j => (byStatus[j.status] = (byStatus[j.status] ?? 0) + 1));
    const active = this.jobs.filter(j => ACTIVE_STATES.has(j.status));
    const end = Math.min(offset + limit, shown.length);
    return {
      page: shown.slice(offset, end),
      active,
      groups: [],
      counts: { total: this.jobs.length, active: active.length, by_status: byStatus },
      overall: { total: this.jobs.length, active: active.length },
      total: shown.length,
      limit,
      offset,
      next_offset: end < shown.length ? end : null
    };
  }

  private _answer(method: string, endpoint: string, query: Record<string, string>, body: string): Response {
    const json = (data: unknown) => new Response(JSON.stringify(data), { status: 200 });
    if (endpoint === '' && method === 'GET') {
      return json(this.pollInterval === undefined ? { name: 'qhybrid-lab' } : { poll_interval: this.pollInterval });
    }
    if (endpoint === 'jobs' && method === 'GET') {
      const limit = Number(query.limit ?? 100);
      return json({ jobs: this.jobs.slice(0, limit), total: this.total ?? this.jobs.length });
    }
    if (endpoint === 'table' && method === 'GET') {
      return json(this.tableOf(query));
    }
    const group = /^groups\/([^/]+)\/cancel$/.exec(endpoint);
    if (group && method === 'POST') {
      const ids = this.jobs.filter(j => j.group === decodeURIComponent(group[1]) && ACTIVE_STATES.has(j.status));
      return json({ requested: ids.length, group: group[1], job_ids: ids.map(j => j.id) });
    }
    const one = /^jobs\/([^/]+)$/.exec(endpoint);
    if (one && method === 'GET') {
      const job = this.jobs.find(j => j.id === decodeURIComponent(one[1]));
      return job ? json(job) : new Response(JSON.stringify({ message: 'no such job' }), { status: 404 });
    }
    if (/^jobs\/[^/]+\/cancel$/.test(endpoint) && method === 'POST') {
      return json({ cancelled: true });
    }
    if (endpoint === 'budgets' && method === 'GET') {
      return json(this.budgets);
    }
    if (endpoint === 'budgets' && method === 'PUT') {
      const budget = JSON.parse(body);
      this.budgets = { ...this.budgets, budgets: [...this.budgets.budgets, { ...budget, currency: 'USD' }] };
      return json(this.budgets);
    }
    if (endpoint === 'budgets' && method === 'DELETE') {
      this.budgets = {
        ...this.budgets,
        budgets: this.budgets.budgets.filter(b => !(b.period === query.period && b.backend === (query.backend ?? null)))
      };
      return json(this.budgets);
    }
    if (endpoint === 'compare' && method === 'GET') {
      return json({ groups: this.compare });
    }
    return new Response('<html>404: Not Found</html>', { status: 404, statusText: 'Not Found' });
  }
}

/**
 * A run record with the given fields; the rest are those of a Bell circuit on Aer.
 */
export function makeJob(fields: Partial<IJobRecord> & { id: string; status: JobStatus }): IJobRecord {
  const now = Date.now() / 1000;
  return {
    created: now,
    updated: now,
    backend: { name: 'aer', kind: 'simulator' },
    circuit: { hash: 'h-bell', name: 'bell', num_qubits: 2, depth: 3, size: 4, two_qubit: 1, ops: { h: 1, cx: 1 } },
    ...fields
  };
}

/**
 * Run the fake timers that are due (without moving the clock) and the promise callbacks they lead to.
 */
export async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await jest.advanceTimersByTimeAsync(0);
  }
}

/**
 * Run the fake timers (without moving the clock) until `promise` settles, and return it.
 */
export async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true)
  );
  for (let i = 0; i < 200 && !done; i++) {
    await jest.advanceTimersByTimeAsync(0);
  }
  if (!done) {
    throw new Error('the promise did not settle while the timers ran');
  }
  return promise;
}
