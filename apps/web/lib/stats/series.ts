// Derived figures for the stats charts. Pure.
import type { StatsSample } from '@berth/shared';

/** The share of CFS periods that were throttled between the first and the last sample (0..1). */
export function throttledShare(samples: StatsSample[]): number {
  const a = samples.find((s) => s.throttledPeriods !== undefined);
  const b = [...samples].reverse().find((s) => s.throttledPeriods !== undefined);
  if (!a || !b || a === b) return 0;
  // nr_throttled counts throttled periods; elapsed periods are 100 ms apart (the CFS period)
  const elapsedPeriods = (Date.parse(b.time) - Date.parse(a.time)) / 100;
  if (elapsedPeriods <= 0) return 0;
  return Math.min(1, Math.max(0, ((b.throttledPeriods ?? 0) - (a.throttledPeriods ?? 0)) / elapsedPeriods));
}
