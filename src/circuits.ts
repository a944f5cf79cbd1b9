import { ICircuitMetrics, IJobRecord } from './tokens';

/**
 * One circuit's metrics on one backend (the newest run there).
 */
export interface IBackendMetrics extends ICircuitMetrics {
  backend: string;
  kind: string;
  jobId: string;
}

/**
 * One circuit (by content hash): its logical metrics and its transpiled metrics per backend.
 */
export interface ICircuitSummary {
  hash: string;
  name: string;
  numQubits: number;
  logical: ICircuitMetrics;
  backends: IBackendMetrics[];
}

/**
 * Group jobs (newest first) by circuit hash; per backend keep the newest run's transpiled metrics.
 */
export function summarizeCircuits(jobs: IJobRecord[]): ICircuitSummary[] {
  const byHash = new Map<string, ICircuitSummary>();
  for (const job of jobs) {
    const circuit = job.circuit;
    if (!circuit?.hash) {
      continue;
    }
    let summary = byHash.get(circuit.hash);
    if (!summary) {
      summary = {
        hash: circuit.hash,
        name: circuit.name,
        numQubits: circuit.num_qubits,
        logical: { depth: circuit.depth, size: circuit.size, two_qubit: circuit.two_qubit, ops: circuit.ops },
        backends: []
      };
      byHash.set(circuit.hash, summary);
    }
    const t = job.transpile;
    // Per backend the newest run that was transpiled (a blocked run may have no metrics).
    const transpiled = t && t.depth !== undefined && t.depth !== null;
    if (transpiled && !summary.backends.some(b => b.backend === job.backend.name)) {
      summary.backends.push({
        backend: job.backend.name,
        kind: job.backend.kind,
        jobId: job.id,
        depth: t!.depth,
        size: t!.size,
        two_qubit: t!.two_qubit,
        ops: t!.ops
      });
    }
  }
  return [...byHash.values()];
}
