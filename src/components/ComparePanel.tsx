import * as React from 'react';

import { IPinnedPair, PinnedPairs } from '../compare';
import { ICandidate, ICompareGroup, ICompareSource, IComparison, IJobRecord } from '../tokens';
import { ComparePair } from './ComparePair';
import { IPickable, RunPicker } from './RunPicker';

/** A pinned pair as last read from the server: its comparison, or why there is none. */
type PinnedView = { comparison: IComparison } | { error: string };

function fromRecord(job: IJobRecord): IPickable {
  return {
    id: job.id,
    name: job.circuit?.name ?? null,
    backend: job.backend.name,
    kind: job.backend.kind,
    created: job.created
  };
}

function fromCandidate(c: ICandidate, name: string | null): IPickable {
  return {
    id: c.id,
    name,
    backend: c.backend,
    kind: c.kind,
    created: c.created,
    relation: c.relation_text ?? c.relation,
    comparable: c.comparable,
    reason: c.reason
  };
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function PinButton(props: { pinned: boolean; onClick: () => void }): JSX.Element {
  return (
    <button className="jp-mod-styled qh-ComparePanel-pin" aria-pressed={props.pinned} onClick={props.onClick}>
      {props.pinned ? 'Unpin' : 'Pin'}
    </button>
  );
}

/**
 * The Compare panel: pick any two runs (search, or a run's counterparts: its device's emulator or hardware run,
 * simulators), pin pairs to keep them in view, and the automatic groups of one circuit across backends. Every
 * fidelity and TVD shows its 95 % shot-noise interval and whether the difference is within shot noise.
 */
export function ComparePanel(props: { groups: ICompareGroup[]; source?: ICompareSource | null }): JSX.Element {
  const { source } = props;
  const pins = React.useMemo(() => new PinnedPairs(storage()), []);
  const [pinned, setPinned] = React.useState<readonly IPinnedPair[]>(pins.pairs);
  const [queryA, setQueryA] = React.useState('');
  const [queryB, setQueryB] = React.useState('');
  const [runsA, setRunsA] = React.useState<IPickable[]>([]);
  const [runsB, setRunsB] = React.useState<IPickable[]>([]);
  const [pickedA, setPickedA] = React.useState<IPickable | null>(null);
  const [pickedB, setPickedB] = React.useState<IPickable | null>(null);
  const [result, setResult] = React.useState<PinnedView | null>(null);
  const [views, setViews] = React.useState<Map<string, PinnedView>>(new Map());

  React.useEffect(() => {
    if (!source || pickedA) {
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      source.searchRuns(queryA).then(
        jobs => live && setRunsA(jobs.map(fromRecord)),
        () => live && setRunsA([])
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [source, queryA, pickedA]);

  React.useEffect(() => {
    if (!source || !pickedA || pickedB) {
      return;
    }
    let live = true;
    const timer = setTimeout(
      () => {
        const found: Promise<IPickable[]> = queryB.trim()
          ? source.searchRuns(queryB).then(jobs => jobs.filter(j => j.id !== pickedA.id).map(fromRecord))
          : source.compareCandidates(pickedA.id).then(c => c.candidates.map(x => fromCandidate(x, pickedA.name)));
        found.then(
          runs => live && setRunsB(runs),
          () => live && setRunsB([])
        );
      },
      queryB ? 250 : 0
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [source, pickedA, pickedB, queryB]);

  React.useEffect(() => {
    setResult(null);
    if (!source || !pickedA || !pickedB) {
      return;
    }
    let live = true;
    source.comparePair(pickedA.id, pickedB.id).then(
      comparison => live && setResult({ comparison }),
      error => live && setResult({ error: (error as Error).message })
    );
    return () => {
      live = false;
    };
  }, [source, pickedA, pickedB, props.groups]);

  React.useEffect(() => {
    if (!source) {
      return;
    }
    let live = true;
    void Promise.all(
      pinned.map(p =>
        source.comparePair(p.a, p.b).then(
          comparison => [`${p.a}|${p.b}`, { comparison }] as [string, PinnedView],
          error => [`${p.a}|${p.b}`, { error: (error as Error).message }] as [string, PinnedView]
        )
      )
    ).then(entries => live && setViews(new Map(entries)));
    return () => {
      live = false;
    };
  }, [source, pinned, props.groups]);

  const toggle = (a: string, b: string) => {
    if (pins.has(a, b)) {
      pins.unpin(a, b);
    } else {
      pins.pin(a, b);
    }
    setPinned(pins.pairs);
  };

  const picker = source && (
    <section className="qh-ComparePanel-group" aria-label="Pick two runs">
      <h3 className="qh-ComparePanel-title">Pick two runs</h3>
      <RunPicker
        label="Reference (a)"
        query={queryA}
        onQuery={setQueryA}
        runs={runsA}
        picked={pickedA}
        onPick={run => {
          setPickedA(run);
          setPickedB(null);
          setQueryB('');
        }}
      />
      {pickedA && (
        <RunPicker
          label="Compare with (b)"
          query={queryB}
          onQuery={setQueryB}
          runs={runsB}
          picked={pickedB}
          onPick={setPickedB}
          listTitle={
            queryB.trim() ? undefined : `Runs of ${pickedA.name ?? 'this circuit'} to compare with, counterparts first`
          }
        />
      )}
      {result && 'error' in result && (
        <div className="qh-ComparePanel-reason" role="alert">
          {result.error}
        </div>
      )}
      {result && 'comparison' in result && (
        <ComparePair
          a={result.comparison.a}
          b={result.comparison.b}
          metrics={result.comparison}
          actions={
            <PinButton
              pinned={pinned.some(p => p.a === result.comparison.a.id && p.b === result.comparison.b.id)}
              onClick={() => toggle(result.comparison.a.id, result.comparison.b.id)}
            />
          }
        />
      )}
    </section>
  );

  const pinnedSection = pinned.length > 0 && (
    <section className="qh-ComparePanel-group" aria-label="Pinned pairs">
      <h3 className="qh-ComparePanel-title">Pinned</h3>
      {pinned.map(p => {
        const view = views.get(`${p.a}|${p.b}`);
        const unpin = <PinButton pinned={true} onClick={() => toggle(p.a, p.b)} />;
        if (!view) {
          return (
            <div key={`${p.a}|${p.b}`} className="qh-ComparePanel-pair">
              {p.a.slice(0, 8)} vs {p.b.slice(0, 8)}: loading… {unpin}
            </div>
          );
        }
        if ('error' in view) {
          return (
            <div key={`${p.a}|${p.b}`} className="qh-ComparePanel-pair">
              <div className="qh-ComparePanel-reason" role="note">
                {p.a.slice(0, 8)} vs {p.b.slice(0, 8)}: {view.error}
              </div>
              {unpin}
            </div>
          );
        }
        const c = view.comparison;
        return <ComparePair key={`${p.a}|${p.b}`} a={c.a} b={c.b} metrics={c} actions={unpin} />;
      })}
    </section>
  );

  return (
    <div className="qh-ComparePanel">
      {picker}
      {pinnedSection}
      {props.groups.length === 0 ? (
        <div className="qh-ComparePanel-empty qh-mod-empty">
          Nothing to compare yet: run one circuit on two backends, e.g. <code>%%qrun -b aer -b fake_torino</code>.
        </div>
      ) : (
        props.groups.map(group => {
          const runs = new Map(group.runs.map(r => [r.id, r]));
          return (
            <section
              key={group.circuit_hash}
              className="qh-ComparePanel-group"
              aria-label={`Compare ${group.circuit_name}`}
            >
              <h3 className="qh-ComparePanel-title">
                {group.circuit_name ?? 'circuit'} · {group.num_qubits ?? '?'} qubits
              </h3>
              {group.pairs.map(pair => {
                const a = runs.get(pair.a);
                const b = runs.get(pair.b);
                if (!a || !b) {
                  return null;
                }
                return (
                  <ComparePair
                    key={`${pair.a}-${pair.b}`}
                    a={a}
                    b={b}
                    metrics={pair}
                    actions={
                      <PinButton
                        pinned={pinned.some(p => p.a === a.id && p.b === b.id)}
                        onClick={() => toggle(a.id, b.id)}
                      />
                    }
                  />
                );
              })}
            </section>
          );
        })
      )}
    </div>
  );
}
