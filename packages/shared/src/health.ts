import { z } from 'zod';

/** Docker's defaults for a healthcheck's timings. */
export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, retries: 3 } as const;

/**
 * A healthcheck as Docker's HealthConfig, durations in milliseconds: test is ["CMD", ARG...],
 * ["CMD-SHELL", "command"] or ["NONE"] (disables the image's); absent fields come from the image,
 * then from HEALTH_DEFAULTS. Used by RunSpec (--health-*) and by image configs (HEALTHCHECK).
 */
export const HealthcheckSpec = z.object({
  test: z
    .array(z.string().max(64 * 1024, 'healthcheck command too long'))
    .min(1)
    .superRefine((t, ctx) => {
      const bad = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      if (t[0] === 'NONE') {
        if (t.length !== 1) bad('healthcheck test ["NONE"] takes no arguments');
      } else if (t[0] === 'CMD') {
        if (t.length < 2) bad('healthcheck test ["CMD", ...] needs a command');
      } else if (t[0] === 'CMD-SHELL') {
        if (t.length !== 2 || t[1]!.trim() === '') bad('healthcheck test ["CMD-SHELL", "..."] needs exactly one command string');
      } else bad('healthcheck test must start with "CMD", "CMD-SHELL" or "NONE"');
    })
    .optional(),
  intervalMs: z.number().int().min(1, 'health interval must be at least 1ms').max(24 * 3600_000).optional(),
  timeoutMs: z.number().int().min(1, 'health timeout must be at least 1ms').max(24 * 3600_000).optional(),
  startPeriodMs: z.number().int().min(0).max(24 * 3600_000).optional(),
  retries: z.number().int().min(0, 'health retries must not be negative').max(1_000_000).optional(),
});
export type HealthcheckSpec = z.infer<typeof HealthcheckSpec>;

export const HealthStatus = z.enum(['starting', 'healthy', 'unhealthy']);
export type HealthStatus = z.infer<typeof HealthStatus>;

/** One probe: times RFC 3339, exitCode -1 when it timed out or could not run, output at most 4 KiB. */
export const HealthLogEntry = z.object({ start: z.string(), end: z.string(), exitCode: z.number().int(), output: z.string() });
export type HealthLogEntry = z.infer<typeof HealthLogEntry>;

/** Docker's State.Health: the status, the consecutive failures and the last 5 probes. */
export const HealthState = z.object({ status: HealthStatus, failingStreak: z.number().int(), log: z.array(HealthLogEntry) });
export type HealthState = z.infer<typeof HealthState>;

/**
 * Docker's duration syntax for --health-*: 30s, 1m30s, 500ms, 1h, 1.5s (units ns us µs ms s m h;
 * a bare 0 is zero). Returns milliseconds (rounded up, so 1us is 1ms, not 0).
 */
export function parseDurationMs(s: string): number {
  const t = s.trim();
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    total += Number(m[1]) * unit[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== t.length) throw new Error(`invalid duration "${s}": want a number with a unit, like 30s, 1m30s or 500ms`);
  return Math.ceil(total);
}
