// Pull/push progress as Docker draws it: on a terminal one line per layer, redrawn in place with
// a bar; otherwise plain lines, one per layer state change, so logs stay readable.
import type { ImageProgress } from '@berth/shared';
import { humanSize } from './format';

const LABEL: Record<string, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  done: 'Pull complete',
  uploading: 'Pushing',
  pushed: 'Pushed',
  failed: 'Failed',
};

export class ProgressPrinter {
  private readonly order: string[] = [];
  private readonly lines = new Map<string, string>();
  private readonly lastStatus = new Map<string, string>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly write: (s: string) => void,
    private readonly tty: boolean,
    private readonly push = false,
  ) {}

  private short(d: string) {
    return d.replace(/^sha256:/, '').slice(0, 12);
  }

  private bar(current: number, total: number): string {
    const width = 30;
    const frac = total > 0 ? Math.min(1, current / total) : 1;
    const n = Math.round(frac * width);
    return `[${'='.repeat(Math.max(0, n - 1))}${n > 0 ? '>' : ''}${' '.repeat(width - n)}] ${humanSize(current)}/${humanSize(total)}`;
  }

  private redraw(force = false) {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const d of this.order) s += `\x1b[2K${this.lines.get(d)}\n`;
    this.drawn = this.order.length;
    this.write(s);
  }

  /** A line above the layer block (status messages). */
  private message(m: string) {
    if (this.tty && this.drawn > 0) {
      // print above the block: clear it, print, redraw
      this.write(`\x1b[${this.drawn}A\x1b[J${m}\n`);
      this.drawn = 0;
      this.redraw(true);
    } else this.write(`${m}\n`);
  }

  on(e: ImageProgress) {
    switch (e.type) {
      case 'status':
        if (!e.message.startsWith('Extracting')) this.message(e.message);
        else if (!this.tty) this.message(e.message);
        break;
      case 'resolved':
        if (!this.push) this.message(`Platform: ${e.platform}`);
        break;
      case 'layer': {
        const id = this.short(e.digest);
        if (!this.order.includes(e.digest)) this.order.push(e.digest);
        const label = e.status === 'done' && this.push ? 'Pushed' : (LABEL[e.status] ?? e.status);
        const resumed = e.resumedFrom ? ` (resumed at ${humanSize(e.resumedFrom)})` : '';
        if (this.tty) {
          this.lines.set(e.digest, e.status === 'downloading' || e.status === 'uploading' ? `${id}: ${label} ${this.bar(e.current, e.total)}${resumed}` : `${id}: ${label}${resumed}`);
          this.redraw(e.status !== 'downloading' && e.status !== 'uploading');
        } else if (this.lastStatus.get(e.digest) !== e.status) {
          this.lastStatus.set(e.digest, e.status);
          this.write(`${id}: ${label}${e.status === 'downloading' || e.status === 'uploading' ? ` (${humanSize(e.total)})` : ''}${resumed}\n`);
        }
        break;
      }
      case 'done':
        this.redraw(true);
        break;
    }
  }
}
