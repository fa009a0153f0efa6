import type { DayRange } from '@/lib/calendar';
import { formatCount, formatDay, formatHours, formatMoney, formatMoneyList } from '@/lib/format';
import { type GpuCost, type GpuGroup, getGpuFleet } from '@/lib/queries/gpu-fleet';
import styles from './gpu.module.css';
import { UtilizationHeatmap } from './heatmap';
import { GpuSpendChart } from './spend-chart';

function Money({ costs, pick, testId }: { costs: readonly GpuCost[]; pick: (c: GpuCost) => string | null; testId?: string }) {
  const items = costs.flatMap((c) => {
    const amount = pick(c);
    return amount === null ? [] : [{ amount, currency: c.currency }];
  });
  return (
    <span data-testid={testId} data-amounts={items.map((i) => `${i.amount} ${i.currency}`).join(';')}>
      {items.length ? formatMoneyList(items) : '—'}
    </span>
  );
}

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} %`);

function GroupTable({ title, noun, groups, testId }: { title: string; noun: string; groups: readonly GpuGroup[]; testId: string }) {
  return (
    <section className="panel" aria-labelledby={`${testId}-title`}>
      <div className="panel-head">
        <h2 id={`${testId}-title`}>{title}</h2>
      </div>
      <div className="table-scroll">
        <table className="table" data-testid={testId}>
          <thead>
            <tr>
              <th scope="col">{noun}</th>
              <th scope="col" className="right">
                GPUs
              </th>
              <th scope="col" className="right">
                GPU-hours
              </th>
              <th scope="col" className="right">
                Idle GPU-hours
              </th>
              <th scope="col" className="right">
                Cost
              </th>
              <th scope="col" className="right">
                Idle cost
              </th>
              <th scope="col" className="right">
                Cost per useful GPU-hour
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.key ?? ''} data-group={g.key ?? ''}>
                <td>{g.key ?? <span className="cell-sub">no {noun.toLowerCase()} tag</span>}</td>
                <td className="right num">{g.gpus}</td>
                <td className="right num">{formatCount(g.gpuHours)}</td>
                <td className="right num">{formatCount(g.idleHours)}</td>
                <td className="right num">
                  <Money costs={g.costs} pick={(c) => c.cost} />
                </td>
                <td className="right num">
                  <Money costs={g.costs} pick={(c) => c.idleCost} />
                </td>
                <td className="right num">
                  <Money costs={g.costs} pick={(c) => c.costPerUsefulHour} testId={`${testId}-useful-${g.key ?? ''}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The GPU page's panels: summary, fleet heatmap, the GPUs, the groups, and the spend from the bills. */
export async function GpuFleetBody({ window, spendRange }: { window: DayRange; spendRange: DayRange }) {
  const fleet = await getGpuFleet({ window, spendRange });
  const t = fleet.total;
  return (
    <>
      <div className="cards">
        <div className="card" data-testid="gpu-count">
          <p className="card-title">GPUs</p>
          <p className="figure">{t.gpus}</p>
          <p className="figure-sub">{formatCount(t.gpuHours)} GPU-hours with data</p>
        </div>
        <div className="card" data-testid="gpu-idle">
          <p className="card-title">Idle GPU-hours</p>
          <p className="figure">{formatCount(t.idleHours)}</p>
          <p className="figure-sub">
            hours under {fleet.idleBelow} % · cost <Money costs={t.costs} pick={(c) => c.idleCost} testId="gpu-idle-cost" />
          </p>
        </div>
        <div className="card" data-testid="gpu-useful">
          <p className="card-title">Cost per useful GPU-hour</p>
          <p className="figure">
            <Money costs={t.costs} pick={(c) => c.costPerUsefulHour} testId="gpu-useful-cost" />
          </p>
          <p className="figure-sub">
            cost <Money costs={t.costs} pick={(c) => c.cost} /> ÷ {formatHours(t.usefulHours)} useful GPU-hours
          </p>
        </div>
      </div>

      <section className="panel" aria-labelledby="gpu-heatmap-title">
        <div className="panel-head">
          <h2 id="gpu-heatmap-title">Fleet utilization by day and hour</h2>
          <span className="meta">mean of the GPUs with data, UTC</span>
        </div>
        {t.gpus === 0 ? (
          <p className="figure-sub">
            No GPU reports utilization yet: connect an inventory or a Prometheus with DCGM, or import nvidia-smi logs (npm run metrics --
            import).
          </p>
        ) : (
          <UtilizationHeatmap
            days={fleet.days}
            cells={fleet.fleetHeatmap}
            label="Fleet GPU utilization by day and hour of day"
            testId="fleet-heatmap"
          />
        )}
      </section>

      <section className="panel" aria-labelledby="gpu-table-title">
        <div className="panel-head">
          <h2 id="gpu-table-title">GPUs</h2>
          <span className="meta">a GPU's cost is its machine's effective cost split evenly over the machine's GPUs</span>
        </div>
        <div className="table-scroll">
          <table className="table" data-testid="gpu-table">
            <thead>
              <tr>
                <th scope="col">GPU</th>
                <th scope="col">Machine</th>
                <th scope="col">Team</th>
                <th scope="col">Account</th>
                <th scope="col" className="right">
                  Mean utilization
                </th>
                <th scope="col" className="right">
                  Idle GPU-hours
                </th>
                <th scope="col" className="right">
                  Cost
                </th>
                <th scope="col" className="right">
                  Idle cost
                </th>
                <th scope="col" className="right">
                  Cost per useful GPU-hour
                </th>
                <th scope="col">By day and hour</th>
              </tr>
            </thead>
            <tbody>
              {fleet.gpus.map((g) => (
                <tr key={g.pk} data-gpu={g.uuid}>
                  <td>
                    <div className="cell-main">{g.gpuModel ?? 'GPU'}</div>
                    <div className="cell-sub mono">{g.uuid}</div>
                  </td>
                  <td>
                    <div className="cell-main mono">{g.resourceId}</div>
                    <div className="cell-sub">
                      {g.provider} · {g.machineType ?? 'type unknown'} · {g.machineGpus} GPU{g.machineGpus > 1 ? 's' : ''}
                      {g.region ? ` · ${g.region}` : ''}
                    </div>
                  </td>
                  <td>{g.team ?? <span className="cell-sub">—</span>}</td>
                  <td className="mono">{g.account || '—'}</td>
                  <td className="right num" data-testid={`mean-${g.uuid}`}>
                    {pct(g.meanUtilization)}
                  </td>
                  <td className="right num">
                    {formatCount(g.idleHours)} / {formatCount(g.gpuHours)}
                  </td>
                  <td className="right num">
                    <Money costs={g.costs} pick={(c) => c.cost} />
                  </td>
                  <td className="right num">
                    <Money costs={g.costs} pick={(c) => c.idleCost} testId={`idle-cost-${g.uuid}`} />
                  </td>
                  <td className="right num">
                    <Money costs={g.costs} pick={(c) => c.costPerUsefulHour} testId={`useful-cost-${g.uuid}`} />
                  </td>
                  <td>
                    <details className={styles.details}>
                      <summary className="figure-sub">Show</summary>
                      <UtilizationHeatmap
                        days={fleet.days}
                        cells={g.heatmap}
                        label={`Utilization of GPU ${g.uuid} by day and hour of day`}
                        testId={`heatmap-${g.uuid}`}
                        compact
                      />
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <div className="grid-2">
        <GroupTable title="By team" noun="Team" groups={fleet.byTeam} testId="gpu-by-team" />
        <GroupTable title="By account" noun="Account" groups={fleet.byAccount} testId="gpu-by-account" />
      </div>

      {fleet.spend.length === 0 ? (
        <section className="panel">
          <div className="panel-head">
            <h2>GPU spend</h2>
          </div>
          <p className="figure-sub">
            No bill line of a GPU machine between {formatDay(spendRange.from)} and {formatDay(spendRange.to)}.
          </p>
        </section>
      ) : (
        fleet.spend.map((s) => (
          <section key={s.currency} className="panel" aria-labelledby={`gpu-spend-${s.currency}`}>
            <div className="panel-head">
              <h2 id={`gpu-spend-${s.currency}`}>GPU spend per day · {s.currency}</h2>
              <span className="meta" data-testid={`gpu-spend-total-${s.currency}`} data-amount={s.total}>
                {formatDay(spendRange.from)} – {formatDay(spendRange.to)} · {formatMoney(s.total, s.currency)} · effective cost of the GPU
                machines
              </span>
            </div>
            <GpuSpendChart currency={s.currency} points={s.points.map((p) => ({ ...p, label: p.day.slice(5) }))} />
          </section>
        ))
      )}
    </>
  );
}
