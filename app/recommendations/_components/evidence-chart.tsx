'use client';

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMeasure } from '@/lib/format';

export interface EvidenceChartProps {
  label: string;
  unit: string;
  source: 'hourly' | 'raw';
  points: { t: number; value: number; max: number | null }[];
  threshold: number;
  thresholdLabel: string;
}

const TIME = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const TIME_FULL = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/** The metric over the evidence window (hourly mean and max, or raw samples) with the rule's threshold as a line. */
export function EvidenceChart({ label, unit, source, points, threshold, thresholdLabel }: EvidenceChartProps) {
  return (
    <div className="chart" data-testid="evidence-chart" data-points={points.length} data-source={source} data-threshold={threshold}>
      <LineChart responsive style={{ width: '100%', height: '100%' }} data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid vertical={false} stroke="#eef0f3" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(t: number) => TIME.format(t)}
          tickLine={false}
          axisLine={{ stroke: '#cfd4dc' }}
          fontSize={12}
        />
        <YAxis
          tickLine={false}
          axisLine={false}
          width={84}
          fontSize={12}
          domain={[0, (max: number) => Math.max(max, threshold) * 1.05]}
          tickFormatter={(v: number) => formatMeasure(v, unit)}
        />
        <Tooltip
          labelFormatter={(t) => `${TIME_FULL.format(Number(t))} UTC`}
          formatter={(v, name) => [formatMeasure(Number(v), unit), String(name)]}
        />
        <Legend verticalAlign="top" align="right" height={28} iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
        <ReferenceLine
          y={threshold}
          stroke="#c2410c"
          strokeDasharray="6 4"
          ifOverflow="extendDomain"
          label={{ value: thresholdLabel, position: 'insideTopRight', fontSize: 12, fill: '#c2410c' }}
        />
        <Line
          type="monotone"
          dataKey="value"
          name={source === 'hourly' ? `${label}, hourly mean` : label}
          stroke="#4f46e5"
          dot={false}
          isAnimationActive={false}
        />
        {source === 'hourly' ? (
          <Line type="monotone" dataKey="max" name={`${label}, hourly max`} stroke="#a5b4fc" dot={false} isAnimationActive={false} />
        ) : null}
      </LineChart>
    </div>
  );
}
