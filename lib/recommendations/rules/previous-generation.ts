import type { Finding, RuleDefinition } from '../types';
import { cheapest, evidence, isBurstable, listResources, type PricedType, priceRatioSavings } from './common';

/**
 * Previous-generation types: an instance of a family its provider lists as previous generation
 * (AWS's own flag; Azure and GCP from the catalog) for which a current-generation type with at
 * least its vCPUs and memory, the same architecture and GPUs, costs the same or less in that
 * region. Needs only the type and region, so a bill alone is enough (lib/resources/from-bills.ts).
 * OptScale's instance_generation_upgrade module makes the same comparison.
 */
export const previousGenerationRule: RuleDefinition = {
  id: 'previous-generation',
  label: 'Previous-generation types',
  kinds: ['previous-generation'],
  description:
    'Flags instances of previous-generation families when a current-generation type with at least the same vCPUs and memory costs the same or less in that region ' +
    '(on-demand Linux prices from the catalog). Works from the bill alone. Same idea as OptScale’s instance generation upgrade.',
  parameters: [
    {
      key: 'minSavingsPercent',
      label: 'Price difference at least',
      unit: 'percent',
      default: 0,
      min: 0,
      max: 90,
      help: 'How much cheaper the current generation must be; 0 also flags a move at the same price (newer hardware, same cost), as the issue asks.',
    },
  ],
  async evaluate({ db, catalog, params }) {
    const p = params as { minSavingsPercent: number };
    const findings: Finding[] = [];
    for (const r of await listResources(db, ['instance'])) {
      if (r.resourceType === null) continue;
      const spec = catalog.spec(r.provider, r.resourceType);
      if (!spec || spec.currentGeneration) continue;
      const price = catalog.price(r.provider, spec.type, r.regionId);
      if (!price) continue;
      const current: PricedType = { spec, price };
      const best = cheapest(
        catalog,
        current,
        r.regionId,
        catalog.types(r.provider).filter((c) => c.currentGeneration),
        (c) =>
          c.arch === spec.arch &&
          c.gpuCount === spec.gpuCount &&
          c.vcpus >= spec.vcpus &&
          c.memoryMib >= spec.memoryMib &&
          (!isBurstable(c) || isBurstable(spec)),
        { value: price.hourly, inclusive: true },
      );
      if (!best) continue;
      const fraction = priceRatioSavings(price.hourly, best.price.hourly);
      if (Number(fraction) * 100 < p.minSavingsPercent) continue;
      findings.push({
        kind: 'previous-generation',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: spec.type,
        proposedType: best.spec.type,
        action: `Move to ${best.spec.type}`,
        savingsFraction: fraction,
        evidence: evidence({
          statistic: 'price_ratio',
          value: Number(fraction),
          threshold: p.minSavingsPercent / 100,
          current: { type: spec.type, spec, price },
          proposed: { type: best.spec.type, spec: best.spec, price: best.price },
          details: { currentGeneration: spec.generation, proposedGeneration: best.spec.generation, region: r.regionId },
          notes: [`${spec.family} is a previous-generation family; ${best.spec.family} is current.`],
        }),
      });
    }
    return findings;
  },
};
