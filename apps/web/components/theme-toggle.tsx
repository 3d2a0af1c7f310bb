'use client';
// Light / dark / system theme: kept in localStorage and applied as data-theme on <html> (the
// layout's inline script applies it before paint, so there is no flash).
import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: '◐ auto', light: '☀ light', dark: '☾ dark' };

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const t = localStorage.getItem('berth.theme');
    if (t === 'light' || t === 'dark') setTheme(t);
  }, []);
  const cycle = () => {
    const next = NEXT[theme];
    setTheme(next);
    if (next === 'system') {
      localStorage.removeItem('berth.theme');
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem('berth.theme', next);
      document.documentElement.dataset.theme = next;
    }
  };
  return (
    <button type="button" className="theme-toggle" onClick={cycle} title="theme" data-testid="theme-toggle">
      {LABEL[theme]}
    </button>
  );
}
