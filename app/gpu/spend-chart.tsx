'use client';

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney, formatMoneyAxis } from '@/lib/format';

interface Datum {
  day: string;
  label: string;
  /** Exact decimal string; `value` is only the bar's height. */
  amount: string;
  value: number;
}

interface TooltipState {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
}

function SpendTooltip({ active, payload, currency }: TooltipState & { currency: string }) {
  if (!active || !payload?.length) return null;
  const d = payload[0]?.payload as Datum | undefined;
  if (!d) return null;
  return (
    <div className="chart-tooltip">
      <strong>{d.day}</strong>
      <div className="num">{formatMoney(d.amount, currency)}</div>
    </div>
  );
}

/** Daily GPU machine spend in one currency. */
export function GpuSpendChart({ currency, points }: { currency: string; points: { day: string; label: string; amount: string }[] }) {
  const data: Datum[] = points.map((p) => ({ ...p, value: Number(p.amount) }));
  return (
    <div className="chart" data-testid={`gpu-spend-chart-${currency}`}>
      <BarChart responsive style={{ width: '100%', height: '100%' }} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
        <CartesianGrid vertical={false} stroke="#eef0f3" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: '#cfd4dc' }} fontSize={12} minTickGap={16} />
        <YAxis tickLine={false} axisLine={false} width={84} fontSize={12} tickFormatter={(v: number) => formatMoneyAxis(v, currency)} />
        <Tooltip
          cursor={{ fill: 'rgb(79 70 229 / 0.06)' }}
          content={(props) => <SpendTooltip active={props.active} payload={props.payload} currency={currency} />}
        />
        <Bar dataKey="value" name={`GPU spend (${currency})`} fill="#4f46e5" isAnimationActive={false} maxBarSize={28} />
      </BarChart>
    </div>
  );
}
