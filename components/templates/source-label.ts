import type { Template } from '@/lib/client/sandbox-types';

/** One line saying what a template is made from, for the list and the build history. */
export function sourceLabel(source: Template['source']): string {
  switch (source.type) {
    case 'image':
      return source.image;
    case 'recipe':
      return `${source.dockerfile ? 'Dockerfile' : 'recipe steps'} from ${source.from}`;
    case 'debian':
      return `Debian ${source.suite} (${source.variant}, mmdebstrap)`;
    case 'snapshot':
      return `snapshot ${source.snapshotId}`;
    case 'host':
      return 'host /usr (built in)';
  }
}
