import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { themeScript } from '@/lib/theme';
import './globals.css';

export const metadata: Metadata = { title: 'Berth', description: 'Berth container dashboard' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
