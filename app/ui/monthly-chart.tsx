'use client';

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney, formatMoneyAxis } from '@/lib/format';

export interface MonthlyChartProps {
  currency: string;
  providers: { name: string; color: string }[];
  /** Exact decimal strings per provider; bar heights are the only place they become floats. */
  points: { month: string; label: string; byProvider: Record<string, string>; total: string }[];
  /** The month the page is about; its label is marked. */
  highlightMonth: string | null;
  /** The current, still incomplete month (its bar is month to date). */
  partialMonth: string;
}

type Datum = { label: string; month: string; total: string; exact: Record<string, string> } & Record<
  string,
  number | string | Record<string, string>
>;

/** The part of recharts' tooltip props this tooltip reads. */
interface TooltipState {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
}

function ChartTooltip({
  active,
  payload,
  currency,
  providers,
  partialMonth,
}: TooltipState & Pick<MonthlyChartProps, 'currency' | 'providers' | 'partialMonth'>) {
  if (!active || !payload?.length) return null;
  const datum = payload[0]?.payload as Datum | undefined;
  if (!datum) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        {datum.label}
        {datum.month === partialMonth ? ' · month to date' : ''}
      </strong>
      <table>
        <tbody>
          {[...providers].reverse().map((p) => (
            <tr key={p.name}>
              <td className="tt-cell">
                <span className="swatch" style={{ background: p.color }} />
                {p.name}
              </td>
              <td className="tt-cell tt-amount num">{formatMoney(datum.exact[p.name] ?? '0', currency)}</td>
            </tr>
          ))}
          <tr className="tt-total">
            <td className="tt-cell">Total</td>
            <td className="tt-cell tt-amount num">{formatMoney(datum.total, currency)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/** Stacked monthly spend by provider for one currency. */
export function MonthlyProviderChart({ currency, providers, points, highlightMonth, partialMonth }: MonthlyChartProps) {
  const data: Datum[] = points.map((p) => {
    const d: Datum = { label: p.label, month: p.month, total: p.total, exact: p.byProvider };
    for (const prov of providers) d[prov.name] = Number(p.byProvider[prov.name] ?? '0');
    return d;
  });
  return (
    <div className="chart" data-testid={`monthly-chart-${currency}`}>
      <BarChart
        responsive
        style={{ width: '100%', height: '100%' }}
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 8 }}
        barCategoryGap="22%"
      >
        <CartesianGrid vertical={false} stroke="#eef0f3" />
        <XAxis
          dataKey="label"
          tickLine={false}
          axisLine={{ stroke: '#cfd4dc' }}
          tick={({ x, y, payload, index }) => {
            const isHighlight = data[index]?.month === highlightMonth;
            return (
              <text
                x={x}
                y={Number(y) + 12}
                textAnchor="middle"
                fontSize={12}
                fill={isHighlight ? '#17202e' : '#5d6776'}
                fontWeight={isHighlight ? 700 : 400}
              >
                {String(payload.value)}
              </text>
            );
          }}
        />
        <YAxis tickLine={false} axisLine={false} width={84} fontSize={12} tickFormatter={(v: number) => formatMoneyAxis(v, currency)} />
        <Tooltip
          cursor={{ fill: 'rgb(79 70 229 / 0.06)' }}
          content={(props) => (
            <ChartTooltip
              active={props.active}
              payload={props.payload}
              currency={currency}
              providers={providers}
              partialMonth={partialMonth}
            />
          )}
        />
        <Legend verticalAlign="top" align="right" height={28} iconType="square" iconSize={9} wrapperStyle={{ fontSize: 12 }} />
        {providers.map((p) => (
          <Bar key={p.name} dataKey={p.name} stackId="spend" fill={p.color} isAnimationActive={false} maxBarSize={48} />
        ))}
      </BarChart>
    </div>
  );
}
