import { summarizeCircuits } from '../circuits';
import { IJobRecord } from '../tokens';
import { makeJob } from './fakeServer';

const bellCircuit = {
  hash: 'h-bell',
  name: 'bell',
  num_qubits: 2,
  depth: 3,
  size: 4,
  two_qubit: 1,
  ops: { h: 1, cx: 1, measure: 2 }
};
const ghzCircuit = {
  hash: 'h-ghz',
  name: 'ghz',
  num_qubits: 3,
  depth: 4,
  size: 6,
  two_qubit: 2,
  ops: { h: 1, cx: 2, measure: 3 }
};

function run(
  id: string,
  backend: string,
  circuit: IJobRecord['circuit'],
  transpile: IJobRecord['transpile'],
  kind = 'emulator'
): IJobRecord {
  return makeJob({ id, status: 'done', backend: { name: backend, kind }, circuit, transpile });
}

describe('summarizeCircuits', () => {
  it('is empty without jobs', () => {
    expect(summarizeCircuits([])).toEqual([]);
  });

  it('groups jobs by circuit hash, in the order the circuits first appear (newest first)', () => {
    const jobs = [
      run('j3', 'aer', ghzCircuit, { depth: 4, size: 6, two_qubit: 2, ops: ghzCircuit.ops }, 'simulator'),
      run('j2', 'fake_torino', bellCircuit, { depth: 9, size: 14, two_qubit: 3, ops: { cz: 3, sx: 6 } }),
      run('j1', 'aer', bellCircuit, { depth: 3, size: 4, two_qubit: 1, ops: bellCircuit.ops }, 'simulator')
    ];
    const summaries = summarizeCircuits(jobs);
    expect(summaries.map(s => s.hash)).toEqual(['h-ghz', 'h-bell']);
    expect(summaries[1]).toEqual({
      hash: 'h-bell',
      name: 'bell',
      numQubits: 2,
      logical: { depth: 3, size: 4, two_qubit: 1, ops: bellCircuit.ops },
      backends: [
        {
          backend: 'fake_torino',
          kind: 'emulator',
          jobId: 'j2',
          depth: 9,
          size: 14,
          two_qubit: 3,
          ops: { cz: 3, sx: 6 }
        },
        { backend: 'aer', kind: 'simulator', jobId: 'j1', depth: 3, size: 4, two_qubit: 1, ops: bellCircuit.ops }
      ]
    });
  });

  it('keeps the newest run per backend', () => {
    const jobs = [
      run('new', 'fake_torino', bellCircuit, { depth: 8, size: 12, two_qubit: 3 }),
      run('old', 'fake_torino', bellCircuit, { depth: 11, size: 15, two_qubit: 4 })
    ];
    const [summary] = summarizeCircuits(jobs);
    expect(summary.backends).toHaveLength(1);
    expect(summary.backends[0]).toMatchObject({ jobId: 'new', depth: 8 });
  });

  it('skips runs that were not transpiled (a blocked run) and uses an older transpiled one', () => {
    const jobs = [
      run('blocked', 'fake_torino', bellCircuit, null),
      run('no-depth', 'fake_torino', bellCircuit, { depth: null, size: null }),
      run('undefined-depth', 'fake_torino', bellCircuit, { optimization_level: 1 }),
      run('transpiled', 'fake_torino', bellCircuit, { depth: 10, size: 13, two_qubit: 3 })
    ];
    const [summary] = summarizeCircuits(jobs);
    expect(summary.backends.map(b => b.jobId)).toEqual(['transpiled']);
  });

  it('counts a transpiled depth of 0 as transpiled', () => {
    const empty = { ...bellCircuit, hash: 'h-empty', depth: 0, size: 0, two_qubit: 0, ops: {} };
    const [summary] = summarizeCircuits([run('e', 'aer', empty, { depth: 0, size: 0, two_qubit: 0, ops: {} })]);
    expect(summary.backends).toEqual([
      { backend: 'aer', kind: 'emulator', jobId: 'e', depth: 0, size: 0, two_qubit: 0, ops: {} }
    ]);
  });

  it('lists a circuit with no transpiled run with its logical metrics and no backends', () => {
    const [summary] = summarizeCircuits([run('b', 'fake_torino', bellCircuit, null)]);
    expect(summary).toMatchObject({ hash: 'h-bell', name: 'bell', numQubits: 2, backends: [] });
    expect(summary.logical.depth).toBe(3);
  });

  it('ignores jobs without a circuit hash', () => {
    const noHash = run('x', 'aer', { ...bellCircuit, hash: '' }, { depth: 3 });
    const noCircuit = { ...run('y', 'aer', bellCircuit, { depth: 3 }), circuit: undefined } as unknown as IJobRecord;
    expect(summarizeCircuits([noHash, noCircuit])).toEqual([]);
  });

  it('takes the logical metrics from the newest job of the circuit, missing ones as they are', () => {
    const sparse = { hash: 'h-s', name: 'sparse', num_qubits: 1 };
    const [summary] = summarizeCircuits([run('s', 'aer', sparse, { depth: 1 })]);
    expect(summary.logical).toEqual({ depth: undefined, size: undefined, two_qubit: undefined, ops: undefined });
    expect(summary.backends[0]).toMatchObject({ depth: 1, size: undefined });
  });
});
