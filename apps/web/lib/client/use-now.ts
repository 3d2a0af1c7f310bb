'use client';
import { useEffect, useState } from 'react';
import { statusText, type ContainerSummary } from '@berth/shared';

/** The current time, renewed every `ms`: texts like "Up 3 minutes" age between pushed events. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** A container's STATUS text ("Up 3 minutes") as of `now`. */
export function summaryStatus(c: ContainerSummary, now: number): string {
  return statusText({ status: c.state, startedAt: c.startedAt, finishedAt: c.finishedAt, exitCode: c.exitCode, paused: c.paused }, now, c.healthStatus);
}
