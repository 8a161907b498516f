import type { Metadata, Viewport } from 'next';
import { Toaster } from '@/components/ui/toaster';
import { env } from '@/lib/env';
import './globals.css';

const description = 'Self-hostable code-execution sandboxes for AI agents and their teams';

// The files are in public/ (made by scripts/make-icons.ts). A function, so the social preview's
// absolute URL uses the configured public URL at run time rather than the build machine's.
export function generateMetadata(): Metadata {
  return {
    metadataBase: new URL(env().publicUrl),
    title: { default: 'Warren', template: '%s · Warren' },
    description,
    icons: {
      icon: [
        { url: '/favicon.svg', type: 'image/svg+xml' },
        { url: '/favicon-32.png', sizes: '32x32', type: 'image/png' },
      ],
      apple: '/apple-touch-icon.png',
    },
    manifest: '/manifest.webmanifest',
    openGraph: { title: 'Warren', description, images: [{ url: '/og-image.png', width: 1200, height: 630 }] },
    twitter: { card: 'summary_large_image', title: 'Warren', description, images: ['/og-image.png'] },
  };
}

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#fafafa' },
    { media: '(prefers-color-scheme: dark)', color: '#09090b' },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        {children}
        <Toaster />
      </body>
    </html>
  );
}
