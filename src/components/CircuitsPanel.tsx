import * as React from 'react';

import { ICircuitSummary } from '../circuits';
import { formatNumber, formatOps } from '../format';

/**
 * Per circuit: its logical depth and size; per backend: transpiled depth, two-qubit count and op counts.
 */
export function CircuitsPanel(props: { circuits: ICircuitSummary[] }): JSX.Element {
  if (props.circuits.length === 0) {
    return <div className="qh-CircuitsPanel qh-mod-empty">No circuits yet.</div>;
  }
  return (
    <div className="qh-CircuitsPanel">
      {props.circuits.map(c => (
        <section key={c.hash} className="qh-CircuitsPanel-circuit" aria-label={`Circuit ${c.name}`}>
          <h3 className="qh-CircuitsPanel-name" title={c.hash}>
            {c.name} <span className="qh-CircuitsPanel-hash">{c.hash.replace('sha256:', '').slice(0, 8)}</span>
          </h3>
          <div className="qh-CircuitsPanel-logical">
            {c.numQubits} qubits · depth {formatNumber(c.logical.depth)} · size {formatNumber(c.logical.size)} · 2q{' '}
            {formatNumber(c.logical.two_qubit)}
          </div>
          <table className="qh-CircuitsPanel-table">
            <thead>
              <tr>
                <th scope="col">backend</th>
                <th scope="col">depth</th>
                <th scope="col">2q</th>
                <th scope="col">ops</th>
              </tr>
            </thead>
            <tbody>
              {c.backends.map(b => (
                <tr key={b.backend}>
                  <td>
                    {b.backend} <span className={`qh-CircuitsPanel-kind qh-mod-${b.kind}`}>{b.kind}</span>
                  </td>
                  <td>{formatNumber(b.depth)}</td>
                  <td>{formatNumber(b.two_qubit)}</td>
                  <td className="qh-CircuitsPanel-ops">{formatOps(b.ops)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
