import * as React from 'react';

/**
 * A job's state as a small coloured label (`qh-StatusBadge qh-mod-<status>`).
 */
export function StatusBadge(props: { status: string }): JSX.Element {
  return <span className={`qh-StatusBadge qh-mod-${props.status}`}>{props.status}</span>;
}
