import * as React from 'react';

import { fallbackLink } from '../experiments';
import { IJobRecord } from '../tokens';

/**
 * A small label on a job that fell back to another backend ("↪ fallback") or ran as one ("↩ fallback");
 * nothing for a job without a fallback link. Its tooltip says which job and why.
 */
export function FallbackBadge(props: { job: Pick<IJobRecord, 'fallback'> }): JSX.Element | null {
  const link = fallbackLink(props.job);
  if (!link) {
    return null;
  }
  const other = link.id.slice(0, 8);
  const why = link.reason ? `: ${link.reason}` : '';
  const title =
    link.direction === 'to'
      ? `Fell back: job ${other} ran instead${why}`
      : `A fallback for job ${other}${link.backend ? ` on ${link.backend}` : ''}${why}`;
  return (
    <span className={`qh-FallbackBadge qh-mod-${link.direction}`} title={title} aria-label={title}>
      {link.direction === 'to' ? '↪ fallback' : '↩ fallback'}
    </span>
  );
}
