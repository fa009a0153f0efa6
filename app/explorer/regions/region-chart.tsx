'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney, formatMoneyAxis } from '@/lib/format';

/** One horizontal bar per country, grouped under its geography (the chart's category axis reads "Europe · Germany"). */
export function RegionChart({
  unit,
  geographies,
}: {
  unit: string;
  geographies: { label: string; countries: { label: string; amount: string }[] }[];
}) {
  const data = geographies.flatMap((g) =>
    g.countries.map((c) => ({ name: `${g.label} · ${c.label}`, value: Number(c.amount), exact: c.amount })),
  );
  return (
    <div className="chart" data-testid="region-chart" style={{ height: Math.max(160, data.length * 28 + 40) }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={{ fontSize: 12 }} tickFormatter={(v: number) => formatMoneyAxis(v, unit)} />
          <YAxis type="category" dataKey="name" width={220} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(_v, _n, item) => formatMoney((item.payload as { exact: string }).exact, unit)} />
          <Bar dataKey="value" name={unit} fill="#2563eb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
