'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney, formatMoneyAxis, formatQuantity } from '@/lib/format';

export interface ExplorerChartProps {
  /** The unit every bar is in: a currency code, or a usage unit when `money` is false. */
  unit: string;
  money: boolean;
  /** Stack order, bottom first; the last may be 'Other'. */
  groups: { key: string; label: string; color: string }[];
  /** Exact decimal strings per group; bar heights are the only place they become floats. */
  points: { period: string; label: string; values: Record<string, string>; total: string }[];
}

interface TooltipState {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
}

type Datum = Record<string, number | string> & { label: string; __exact: string };

function show(v: string, unit: string, money: boolean): string {
  return money ? formatMoney(v, unit) : formatQuantity(v, unit);
}

function ChartTooltip({ active, payload, groups, unit, money }: TooltipState & Pick<ExplorerChartProps, 'groups' | 'unit' | 'money'>) {
  if (!active || !payload?.length) return null;
  const d = payload[0]?.payload as Datum | undefined;
  if (!d) return null;
  const exact = JSON.parse(d.__exact) as { values: Record<string, string>; total: string };
  return (
    <div className="chart-tooltip">
      <strong>{d.label}</strong>
      <table>
        <tbody>
          {[...groups].reverse().map((g) =>
            exact.values[g.key] ? (
              <tr key={g.key}>
                <td className="tt-cell">
                  <span className="swatch" style={{ background: g.color }} />
                  {g.label}
                </td>
                <td className="tt-cell tt-amount num">{show(exact.values[g.key] as string, unit, money)}</td>
              </tr>
            ) : null,
          )}
          <tr className="tt-total">
            <td className="tt-cell">Total</td>
            <td className="tt-cell tt-amount num">{show(exact.total, unit, money)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/** Stacked bars: one bar per period, one segment per group (the largest groups, then Other). */
export function ExplorerChart({ unit, money, groups, points }: ExplorerChartProps) {
  const data: Datum[] = points.map((p) => {
    const d: Datum = { label: p.label, __exact: JSON.stringify({ values: p.values, total: p.total }) };
    for (const g of groups) d[g.key] = Number(p.values[g.key] ?? '0');
    return d;
  });
  return (
    <div className="chart" data-testid="explorer-chart" data-unit={unit} style={{ height: 320 }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 12 }} width={72} tickFormatter={(v: number) => (money ? formatMoneyAxis(v, unit) : String(v))} />
          <Tooltip content={<ChartTooltip groups={groups} unit={unit} money={money} />} />
          <Legend />
          {groups.map((g) => (
            <Bar key={g.key} dataKey={g.key} name={g.label} stackId="a" fill={g.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
