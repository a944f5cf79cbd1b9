import { expectations } from '../components/JobDetail';
import { IJobRecord } from '../tokens';

function job(result: IJobRecord['result'], observables: IJobRecord['observables']): IJobRecord {
  return { id: 'abc', status: 'done', result, observables } as unknown as IJobRecord;
}

describe('expectations', () => {
  it('shows one value ± error per observable', () => {
    const lines = expectations(
      job({ expectation_values: [0.98765, -0.5], standard_errors: [0.01234, 0.02], ev_method: 'shots' }, [
        { label: 'ZZ', terms: [['ZZ', 1]] },
        { label: 'XX', terms: [['XX', 1]] }
      ]),
      0
    );
    expect(lines).toEqual(['⟨ZZ⟩ = 0.9877 ± 0.012', '⟨XX⟩ = -0.5 ± 0.02']);
  });

  it('shows the chosen point of a sweep and says when exact', () => {
    const lines = expectations(
      job({ expectation_values: [[1], [0.25]], standard_errors: [[0], [0]], ev_method: 'exact' }, [
        { label: 'Z', terms: [['Z', 1]] }
      ]),
      1
    );
    expect(lines).toEqual(['⟨Z⟩ = 0.25 ± 0 (exact)']);
  });

  it('is empty without observables', () => {
    expect(expectations(job({ counts: { '0': 1 } }, null), 0)).toEqual([]);
  });
});
