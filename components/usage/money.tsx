import { cn } from '@/components/ui/cn';
import { exactMoney, formatMoney, isRounded } from '@/lib/client/money';

/**
 * An amount as people read it, with the exact figure (to the micro-dollar) in its tooltip when
 * the readable one hides part of it. `data-micros` carries the integer for anyone checking sums.
 */
export function Money({
  micros,
  className,
  ...props
}: { micros: number; className?: string } & React.ComponentProps<'span'>) {
  return (
    <span
      {...props}
      title={isRounded(micros) ? `${exactMoney(micros)} exactly` : undefined}
      data-micros={micros}
      className={cn('tabular-nums', className)}
    >
      {formatMoney(micros)}
    </span>
  );
}
