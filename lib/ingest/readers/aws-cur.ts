import { addDecimals } from '../../decimal';
import type { CostRow } from '../../focus/columns';
import { currency, decimal, parseTags, regionId, text, timestamp, ValueError } from '../../focus/normalize';
import { type FormatReader, IngestError, type MapperContext, type RecordMapper } from '../types';

/**
 * AWS Cost and Usage Report reader: legacy CUR (`lineItem/UnblendedCost`), CUR 2.0 from Data Exports
 * and the Athena-integration CUR (both `line_item_unblended_cost`), mapped to FOCUS 1.2.
 *
 * The mapping follows the FinOps Foundation's AWS conversion (focus_converters,
 * conversion_configs/aws) and the AWS Data Exports column dictionaries. Where the CUR has no value
 * for a FOCUS column the column stays null; nothing is guessed.
 */

/**
 * One spelling for every CUR dialect: `lineItem/UnblendedCost`, `line_item_unblended_cost` and
 * `LINEITEM/UNBLENDEDCOST` all fold to `lineitemunblendedcost`, and the Athena spelling of ARN
 * (`savings_plan_savings_plan_a_r_n`) folds to the legacy `savingsPlan/SavingsPlanARN`.
 */
function columnKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const K = {
  billingPeriodStart: 'billbillingperiodstartdate',
  billingPeriodEnd: 'billbillingperiodenddate',
  payerAccountId: 'billpayeraccountid',
  payerAccountName: 'billpayeraccountname',
  invoiceId: 'billinvoiceid',
  billingEntity: 'billbillingentity',
  billType: 'billbilltype',
  invoicingEntity: 'billinvoicingentity',
  usageAccountId: 'lineitemusageaccountid',
  usageAccountName: 'lineitemusageaccountname',
  lineItemType: 'lineitemlineitemtype',
  usageStart: 'lineitemusagestartdate',
  usageEnd: 'lineitemusageenddate',
  timeInterval: 'identitytimeinterval',
  productCode: 'lineitemproductcode',
  usageType: 'lineitemusagetype',
  operation: 'lineitemoperation',
  availabilityZone: 'lineitemavailabilityzone',
  resourceId: 'lineitemresourceid',
  usageAmount: 'lineitemusageamount',
  currencyCode: 'lineitemcurrencycode',
  unblendedCost: 'lineitemunblendedcost',
  description: 'lineitemlineitemdescription',
  legalEntity: 'lineitemlegalentity',
  productName: 'productproductname',
  productMap: 'product',
  region: 'productregion',
  regionCode: 'productregioncode',
  location: 'productlocation',
  sku: 'productsku',
  instanceType: 'productinstancetype',
  rateCode: 'pricingratecode',
  rateId: 'pricingrateid',
  term: 'pricingterm',
  unit: 'pricingunit',
  publicOnDemandRate: 'pricingpublicondemandrate',
  publicOnDemandCost: 'pricingpublicondemandcost',
  reservationArn: 'reservationreservationarn',
  reservationEffectiveCost: 'reservationeffectivecost',
  reservationUnusedUpfront: 'reservationunusedamortizedupfrontfeeforbillingperiod',
  reservationUnusedRecurring: 'reservationunusedrecurringfee',
  savingsPlanArn: 'savingsplansavingsplanarn',
  savingsPlanEffectiveCost: 'savingsplansavingsplaneffectivecost',
  savingsPlanTotalCommitment: 'savingsplantotalcommitmenttodate',
  savingsPlanUsedCommitment: 'savingsplanusedcommitment',
  costCategoryMap: 'costcategory',
  resourceTagsMap: 'resourcetags',
} as const;

/** Columns that make a header row a CUR, whatever the dialect; used for the detection score. */
const CORE_KEYS = [
  K.unblendedCost,
  K.billingPeriodStart,
  K.billingPeriodEnd,
  K.payerAccountId,
  K.usageAccountId,
  K.lineItemType,
  K.usageStart,
  K.usageEnd,
  K.productCode,
  K.usageType,
  K.currencyCode,
  K.usageAmount,
];

type EffectiveRule =
  | 'unblended'
  | 'zero'
  | 'savingsPlanEffectiveCost'
  | 'savingsPlanUnusedCommitment'
  | 'reservationEffectiveCost'
  | 'reservationUnusedFees'
  | 'feeUnlessReservation';

interface LineItemKind {
  category: 'Usage' | 'Purchase' | 'Tax' | 'Credit' | 'Adjustment';
  chargeClass: 'Correction' | null;
  frequency: 'Usage-Based' | 'Recurring' | 'One-Time' | null;
  effective: EffectiveRule;
  /** Consumes a resource, so the usage amount is a consumed quantity. */
  consumes: boolean;
  /** Priced by a commitment (reservation or savings plan) whatever pricing/term says. */
  committed: boolean;
}

function kind(
  category: LineItemKind['category'],
  frequency: LineItemKind['frequency'],
  effective: EffectiveRule,
  extra: Partial<Pick<LineItemKind, 'chargeClass' | 'consumes' | 'committed'>> = {},
): LineItemKind {
  return { category, frequency, effective, chargeClass: null, consumes: false, committed: false, ...extra };
}

/**
 * lineItem/LineItemType → FOCUS. Categories follow focus_converters' AWS config, except that
 * credits, refunds and discounts are FOCUS 1.2 `Credit` (1.0-preview called them Adjustment);
 * SavingsPlanNegation stays Usage there, so that covered usage and its negation net to zero
 * BilledCost within Usage. EffectiveCost follows the same config (its effective_cost plan is the
 * amortized-cost rule AWS publishes in its CUR query library).
 */
const LINE_ITEM_KINDS = new Map<string, LineItemKind>([
  ['Usage', kind('Usage', 'Usage-Based', 'unblended', { consumes: true })],
  ['DiscountedUsage', kind('Usage', 'Usage-Based', 'reservationEffectiveCost', { consumes: true, committed: true })],
  ['SavingsPlanCoveredUsage', kind('Usage', 'Usage-Based', 'savingsPlanEffectiveCost', { consumes: true, committed: true })],
  ['SavingsPlanNegation', kind('Usage', 'Usage-Based', 'zero', { committed: true })],
  // AWS: "Fee – any upfront annual fee that you paid for subscriptions", e.g. an RI's upfront part.
  ['Fee', kind('Purchase', 'One-Time', 'feeUnlessReservation')],
  ['RIFee', kind('Purchase', 'Recurring', 'reservationUnusedFees')],
  ['SavingsPlanRecurringFee', kind('Purchase', 'Recurring', 'savingsPlanUnusedCommitment')],
  ['SavingsPlanUpfrontFee', kind('Purchase', 'One-Time', 'zero')],
  ['Tax', kind('Tax', 'Usage-Based', 'unblended')],
  ['Credit', kind('Credit', 'One-Time', 'unblended')],
  // A refund gives back money billed earlier: a correction of a previous charge.
  ['Refund', kind('Credit', 'One-Time', 'unblended', { chargeClass: 'Correction' })],
  ['BundledDiscount', kind('Credit', 'Usage-Based', 'unblended')],
  ['Discount', kind('Credit', 'Usage-Based', 'unblended')],
  ['EdpDiscount', kind('Credit', 'Usage-Based', 'unblended')],
  ['PrivateRateDiscount', kind('Credit', 'Usage-Based', 'unblended')],
  ['DistributorDiscount', kind('Credit', 'Usage-Based', 'unblended')],
  ['SppDiscount', kind('Credit', 'Usage-Based', 'unblended')],
  ['RIVolumeDiscount', kind('Credit', 'Usage-Based', 'unblended')],
]);

/**
 * Line item types AWS adds later still load: FOCUS's catch-all category, no frequency, and the
 * unblended cost; the original type is kept in extras.lineItemType for a later remap.
 */
const UNKNOWN_KIND = kind('Adjustment', null, 'unblended');

/**
 * ServiceCategory by lineItem/ProductCode, from the FinOps Foundation's focus_converters
 * (conversion_configs/aws/mapping_files/aws_category_mapping.csv, commit 0a11cd65, MIT licence);
 * its rows keyed by console names rather than product codes are left out. Product codes not
 * listed give null.
 */
const SERVICE_CATEGORY = new Map<string, string>(
  Object.entries({
    Analytics:
      'AWSCleanRooms AWSDataExchange AWSGlueElasticViews AWSGlue AWSLakeFormation AmazonAthena AmazonCloudSearch AmazonES AmazonFinSpace AmazonKinesisAnalytics AmazonKinesisFirehose AmazonKinesis AmazonMSK AmazonQuickSight ElasticMapReduce datapipeline',
    Networking:
      'AWSCloudMap AWSCloudWAN AWSDataTransfer AWSDirectConnect AWSELB AWSGlobalAccelerator AWSNetworkFirewall AWSPrivate5G AmazonApiGateway AmazonCloudFront AmazonRoute53 AmazonVPC',
    Integration: 'AWSQueueService AmazonMQ AmazonMWAA AmazonSNS AmazonStates AppFlow AWSAppFabric',
    Other: 'AmazonManagedBlockchain AmazonQLDB AmazonBraket AWSRoboMaker AWSGroundStation',
    'Business Applications':
      'A4B AWSSupplyChain AWSWickr AWSWisdom AmazonChimeBusinessCalling AmazonChimeCallMeAMCS AmazonChimeCallMe AmazonChimeDialInAMCS AmazonChimeDialin AmazonChimeFeatures AmazonChimeServices AmazonChimeVoiceConnector AmazonChime AmazonHoneycode AmazonPinpoint AmazonSES AmazonSWF AmazonWAM AmazonWorkDocs AmazonWorkLink AmazonWorkMail AmazonWorkSpacesWeb ContactLensAmazonConnect CustomerProfiles',
    'Management and Governance':
      'AWSBudgets AWSCostExplorer AWSCloudFormation AWSCloudTrail AWSConfig AWSResilienceHub AWSServiceCatalog AWSSystemsManager AmazonCloudWatch AmazonGrafana AmazonPrometheus OpsWorks AWSBillingConductor',
    Compute:
      'AWSAppRunner AWSLambda AWSOutposts AmazonEC2 AmazonLightsail SimSpaceWeaver VMwareCloudOnAWS AmazonECRPublic AmazonECR AmazonECS AmazonEKS AmazonAppStream',
    Databases:
      'AmazonDocDB AmazonDynamoDB AmazonElastiCache AmazonMCS AmazonMemoryDB AmazonNeptune AmazonRDS AmazonRedshift AmazonTimestream',
    'Developer Tools':
      'AWSAmplify AWSAppSync AWSCodeArtifact AWSCodeCommit AWSCodeDeploy AWSCodePipeline AWSDeviceFarm CodeBuild CodeCatalyst CodeGuru',
    'Internet of Things':
      'AWSGreengrass AWSIoT1Click AWSIoTAnalytics AWSIoTEvents AWSIoTFleetWise AWSIoTSiteWise AWSIoTThingsGraph AWSIoT IoTDeviceDefender IoTDeviceManagement IoTTwinMaker',
    'AI and Machine Learning':
      'AWSDeepRacer AmazonA2I AmazonCodeWhisperer AmazonDevOpsGuru AmazonEI AmazonForecast AmazonFraudDetector AmazonHealthLake AmazonKendra AmazonLex AmazonLookoutEquipment AmazonLookoutMetrics AmazonLookoutVision AmazonMonitron AmazonOmics AmazonPersonalize AmazonPolly AmazonRekognition AmazonSageMaker AmazonTextract comprehend transcribe translate',
    Media:
      'AWSElementalMediaConvert AWSElementalMediaLive AWSElementalMediaPackage AWSElementalMediaStore AWSElementalMediaTailor AWSMediaConnect AmazonETS AmazonIVS AmazonKinesisVideo nimble',
    Migration: 'AWSApplicationMigrationSvc AWSDataSync AWSDatabaseMigrationSvc AWSM2 AWSTransfer',
    Security:
      'AWSCertificateManager AWSDirectoryService AWSFMS AWSSecretsManager AWSSecurityHub AWSShield AmazonCognitoSync AmazonCognito AmazonDetective AmazonGuardDuty AmazonInspectorV2 AmazonInspector AmazonMacie AmazonSecurityLake AmazonVerifiedPermissions CloudHSM auditmanager awskms awswaf',
    Storage:
      'AWSBackup AWSElasticDisasterRecovery AWSStorageGatewayDeepArchive AWSStorageGateway AmazonEBS AmazonEFS AmazonFSx AmazonGlacier AmazonS3GlacierDeepArchive AmazonS3 IngestionServiceSnowball SnowballExtraDays',
  }).flatMap(([category, codes]) => codes.split(' ').map((code): [string, string] => [code, category])),
);

const MARKETPLACE = 'AWS Marketplace';

/** pricing/term → FOCUS 1.2 PricingCategory. */
const PRICING_TERMS = new Map([
  ['OnDemand', 'Standard'],
  ['On-Demand', 'Standard'],
  ['Reserved', 'Committed'],
  ['Spot', 'Dynamic'],
]);

interface TagColumn {
  index: number;
  key: string;
}

/** Index of the first header with this folded name, or -1. */
type Resolve = (key: string) => number;

function resolver(headers: readonly string[]): Resolve {
  const byKey = new Map<string, number>();
  headers.forEach((h, i) => {
    const key = columnKey(h);
    if (!byKey.has(key)) byKey.set(key, i);
  });
  return (key) => byKey.get(key) ?? -1;
}

/**
 * Tag columns and their keys as the CUR spells them: legacy `resourceTags/user:team` gives
 * `user:team`; Athena's exploded `resource_tags_user_team` gives `user_team`, the key form of the
 * CUR 2.0 `resource_tags` map. Cost categories (`costCategory/Name`) are collected the same way.
 */
function prefixedColumns(headers: readonly string[], prefixes: readonly string[]): TagColumn[] {
  const out: TagColumn[] = [];
  headers.forEach((h, index) => {
    const lower = h.toLowerCase();
    for (const p of prefixes) {
      if (lower.startsWith(p) && h.length > p.length) {
        out.push({ index, key: h.slice(p.length) });
        return;
      }
    }
  });
  return out;
}

function field(values: readonly (string | null)[], i: number): string | null {
  return i < 0 ? null : text(values[i]);
}

/** Re-throws a value error with the column name, since the pipeline only adds file and line. */
function rethrowWithColumn(error: unknown, header: string | undefined): never {
  if (error instanceof ValueError) throw new ValueError(`${header ?? 'column'}: ${error.message}`);
  throw error;
}

// Plain functions rather than closures: they run for every numeric and date cell of every row.
function decimalAt(values: readonly (string | null)[], i: number, headers: readonly string[]): string | null {
  if (i < 0) return null;
  try {
    return decimal(values[i]);
  } catch (error) {
    rethrowWithColumn(error, headers[i]);
  }
}

function timestampAt(values: readonly (string | null)[], i: number, headers: readonly string[]): string | null {
  if (i < 0) return null;
  try {
    return timestamp(values[i]);
  } catch (error) {
    rethrowWithColumn(error, headers[i]);
  }
}

function timestampOf(value: string, header: string | undefined): string | null {
  try {
    return timestamp(value);
  } catch (error) {
    rethrowWithColumn(error, header);
  }
}

function currencyAt(values: readonly (string | null)[], i: number, headers: readonly string[]): string | null {
  try {
    return currency(values[i]);
  } catch (error) {
    rethrowWithColumn(error, headers[i]);
  }
}

function tagsAt(values: readonly (string | null)[], i: number, headers: readonly string[]): Record<string, string> | null {
  if (i < 0) return null;
  try {
    return parseTags(values[i]);
  } catch (error) {
    rethrowWithColumn(error, headers[i]);
  }
}

function negate(value: string): string {
  return value.charCodeAt(0) === 45 /* - */ ? value.slice(1) : `-${value}`;
}

const periodEndCache = new Map<string, string>();

/**
 * FOCUS periods end exclusively. Legacy CUR already writes `2023-07-01T00:00:00Z`; CUR 2.0 writes
 * the last second (`2024-09-30T23:59:59Z`), which becomes the next day's first instant.
 */
function exclusivePeriodEnd(ts: string): string {
  const cached = periodEndCache.get(ts);
  if (cached) return cached;
  let out = ts;
  if (ts.slice(11, 19) === '23:59:59') {
    const ms = Date.parse(ts);
    if (!Number.isNaN(ms)) out = `${new Date(Math.floor(ms / 1000) * 1000 + 1000).toISOString().slice(0, 19)}Z`;
  }
  if (periodEndCache.size > 1000) periodEndCache.clear();
  periodEndCache.set(ts, out);
  return out;
}

const productNameCache = new Map<string, string | null>();

/**
 * CUR 2.0 moved product/ProductName into the `product` map (key `product_name`). The map text
 * repeats for every line item of a SKU, so it is parsed once per distinct value. An unreadable map
 * only costs the display name (the product code is used instead), so it does not fail the file.
 */
function productNameFromMap(raw: string): string | null {
  if (productNameCache.has(raw)) return productNameCache.get(raw) ?? null;
  let name: string | null = null;
  try {
    name = text(parseTags(raw)?.product_name);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
  }
  if (productNameCache.size > 10_000) productNameCache.clear();
  productNameCache.set(raw, name);
  return name;
}

function createAwsCurMapper(headers: readonly string[], ctx: MapperContext): RecordMapper {
  const col = resolver(headers);
  const required = (key: string, spelling: string): number => {
    const i = col(key);
    if (i < 0) {
      throw new IngestError(`${ctx.file}: this AWS Cost and Usage Report has no ${spelling} column`, {
        file: ctx.file,
        line: 1,
        column: spelling,
        code: 'BAD_FILE',
      });
    }
    return i;
  };
  const iCost = required(K.unblendedCost, 'lineItem/UnblendedCost');
  const iPeriodStart = required(K.billingPeriodStart, 'bill/BillingPeriodStartDate');
  const iPeriodEnd = required(K.billingPeriodEnd, 'bill/BillingPeriodEndDate');
  const iType = required(K.lineItemType, 'lineItem/LineItemType');
  const iCurrency = required(K.currencyCode, 'lineItem/CurrencyCode');
  const iUsageStart = col(K.usageStart);
  const iUsageEnd = col(K.usageEnd);
  const iInterval = col(K.timeInterval);
  if (iInterval < 0) {
    required(K.usageStart, 'lineItem/UsageStartDate');
    required(K.usageEnd, 'lineItem/UsageEndDate');
  }

  const iPayer = col(K.payerAccountId);
  const iPayerName = col(K.payerAccountName);
  const iInvoice = col(K.invoiceId);
  const iBillingEntity = col(K.billingEntity);
  const iBillType = col(K.billType);
  const iInvoicingEntity = col(K.invoicingEntity);
  const iAccount = col(K.usageAccountId);
  const iAccountName = col(K.usageAccountName);
  const iProductCode = col(K.productCode);
  const iUsageType = col(K.usageType);
  const iOperation = col(K.operation);
  const iAz = col(K.availabilityZone);
  const iResource = col(K.resourceId);
  const iUsageAmount = col(K.usageAmount);
  const iDescription = col(K.description);
  const iLegalEntity = col(K.legalEntity);
  const iProductName = col(K.productName);
  const iProductMap = iProductName < 0 ? col(K.productMap) : -1;
  const iRegion = col(K.region);
  const iRegionCode = col(K.regionCode);
  const iLocation = col(K.location);
  const iSku = col(K.sku);
  const iInstanceType = col(K.instanceType);
  const iRateCode = col(K.rateCode);
  const iRateId = col(K.rateId);
  const iTerm = col(K.term);
  const iUnit = col(K.unit);
  const iListRate = col(K.publicOnDemandRate);
  const iListCost = col(K.publicOnDemandCost);
  const iRiArn = col(K.reservationArn);
  const iRiEffective = col(K.reservationEffectiveCost);
  const iRiUnusedUpfront = col(K.reservationUnusedUpfront);
  const iRiUnusedRecurring = col(K.reservationUnusedRecurring);
  const iSpArn = col(K.savingsPlanArn);
  const iSpEffective = col(K.savingsPlanEffectiveCost);
  const iSpTotal = col(K.savingsPlanTotalCommitment);
  const iSpUsed = col(K.savingsPlanUsedCommitment);
  const iTagsMap = col(K.resourceTagsMap);
  const iCostCategoryMap = col(K.costCategoryMap);
  const tagColumns = prefixedColumns(headers, ['resourcetags/', 'resource_tags_']);
  const costCategoryColumns = prefixedColumns(headers, ['costcategory/']);

  return (values) => {
    const lineItemType = field(values, iType);
    if (lineItemType === null) throw new ValueError(`${headers[iType]} is empty: the charge cannot be classified`);
    const k = LINE_ITEM_KINDS.get(lineItemType) ?? UNKNOWN_KIND;
    const billed = decimalAt(values, iCost, headers);

    let chargeStart = timestampAt(values, iUsageStart, headers);
    let chargeEnd = timestampAt(values, iUsageEnd, headers);
    if ((chargeStart === null || chargeEnd === null) && iInterval >= 0) {
      const interval = field(values, iInterval);
      const slash = interval === null ? -1 : interval.indexOf('/');
      if (interval !== null && slash > 0) {
        chargeStart ??= timestampOf(interval.slice(0, slash), headers[iInterval]);
        chargeEnd ??= timestampOf(interval.slice(slash + 1), headers[iInterval]);
      }
    }
    const periodEnd = timestampAt(values, iPeriodEnd, headers);

    const riArn = field(values, iRiArn);
    const spArn = field(values, iSpArn);
    const commitmentId = riArn ?? spArn;
    const commitmentIsReservation = riArn !== null;

    let effective: string | null;
    switch (k.effective) {
      case 'unblended':
        effective = billed;
        break;
      case 'zero':
        effective = '0';
        break;
      case 'savingsPlanEffectiveCost':
        effective = decimalAt(values, iSpEffective, headers);
        break;
      case 'reservationEffectiveCost':
        effective = decimalAt(values, iRiEffective, headers);
        break;
      case 'savingsPlanUnusedCommitment': {
        // The part of this hour's commitment that no usage consumed.
        const total = decimalAt(values, iSpTotal, headers);
        const used = decimalAt(values, iSpUsed, headers);
        effective = total !== null && used !== null ? addDecimals([total, negate(used)]) : null;
        break;
      }
      case 'reservationUnusedFees': {
        const upfront = decimalAt(values, iRiUnusedUpfront, headers);
        const recurring = decimalAt(values, iRiUnusedRecurring, headers);
        effective = upfront !== null && recurring !== null ? addDecimals([upfront, recurring]) : null;
        break;
      }
      case 'feeUnlessReservation':
        // An RI's upfront fee reaches EffectiveCost through the amortization on its DiscountedUsage.
        effective = riArn !== null ? '0' : billed;
        break;
    }

    const usageType = field(values, iUsageType);
    let pricingCategory: string | null = null;
    if (k.committed) pricingCategory = 'Committed';
    else if (k.category === 'Usage') {
      // Spot usage is recognisable by its usage type (`USE1-SpotUsage:c5.large`) even without a term.
      if (usageType?.includes('SpotUsage')) pricingCategory = 'Dynamic';
      else {
        const term = field(values, iTerm);
        pricingCategory = term === null ? null : (PRICING_TERMS.get(term) ?? null);
      }
    }

    const billingEntity = field(values, iBillingEntity);
    const legalEntity = field(values, iLegalEntity);
    const productCode = field(values, iProductCode);
    let serviceName = field(values, iProductName);
    if (serviceName === null && iProductMap >= 0) {
      const map = field(values, iProductMap);
      if (map !== null) serviceName = productNameFromMap(map);
    }
    serviceName ??= productCode;

    const usageAmount = decimalAt(values, iUsageAmount, headers);
    const unit = field(values, iUnit);

    let tags = tagsAt(values, iTagsMap, headers);
    for (const t of tagColumns) {
      const v = values[t.index];
      // Tag values are kept exactly as given; only absent (empty) tags are skipped.
      if (v != null && v.trim() !== '') {
        tags ??= {};
        tags[t.key] = v;
      }
    }

    let costCategories = tagsAt(values, iCostCategoryMap, headers);
    for (const c of costCategoryColumns) {
      const v = field(values, c.index);
      if (v !== null) {
        costCategories ??= {};
        costCategories[c.key] = v;
      }
    }

    const extras: Record<string, unknown> = { lineItemType };
    if (productCode !== null) extras.productCode = productCode;
    if (usageType !== null) extras.usageType = usageType;
    const operation = field(values, iOperation);
    if (operation !== null) extras.operation = operation;
    const instanceType = field(values, iInstanceType);
    if (instanceType !== null) extras.instanceType = instanceType;
    const billType = field(values, iBillType);
    if (billType !== null) extras.billType = billType;
    if (billingEntity !== null) extras.billingEntity = billingEntity;
    if (legalEntity !== null) extras.legalEntity = legalEntity;
    const invoicingEntity = field(values, iInvoicingEntity);
    if (invoicingEntity !== null) extras.invoicingEntity = invoicingEntity;
    if (costCategories !== null) extras.costCategories = costCategories;

    const row: CostRow = {
      provider_name: 'AWS',
      publisher_name: billingEntity === MARKETPLACE ? (legalEntity ?? 'AWS') : 'AWS',
      invoice_issuer_name: 'AWS',
      billing_account_id: field(values, iPayer),
      billing_account_name: field(values, iPayerName),
      sub_account_id: field(values, iAccount),
      sub_account_name: field(values, iAccountName),
      invoice_id: field(values, iInvoice),
      billing_period_start: timestampAt(values, iPeriodStart, headers),
      billing_period_end: periodEnd === null ? null : exclusivePeriodEnd(periodEnd),
      charge_period_start: chargeStart,
      charge_period_end: chargeEnd,
      charge_category: k.category,
      charge_class: k.chargeClass ?? (billType === 'Refund' ? 'Correction' : null),
      charge_description: field(values, iDescription),
      charge_frequency: k.frequency,
      service_name: serviceName,
      service_category: productCode === null ? null : (SERVICE_CATEGORY.get(productCode) ?? null),
      region_id: regionId(field(values, iRegion) ?? field(values, iRegionCode)),
      region_name: field(values, iLocation),
      availability_zone: field(values, iAz),
      resource_id: field(values, iResource),
      sku_id: field(values, iSku),
      sku_price_id: field(values, iRateCode) ?? field(values, iRateId),
      pricing_category: pricingCategory,
      pricing_quantity: usageAmount,
      pricing_unit: unit,
      list_unit_price: decimalAt(values, iListRate, headers),
      consumed_quantity: k.consumes ? usageAmount : null,
      consumed_unit: k.consumes ? unit : null,
      list_cost: decimalAt(values, iListCost, headers),
      billed_cost: billed,
      effective_cost: effective,
      billing_currency: currencyAt(values, iCurrency, headers),
      commitment_discount_id: commitmentId,
      commitment_discount_type: commitmentId === null ? null : commitmentIsReservation ? 'Reservation' : 'Savings Plan',
      commitment_discount_category: commitmentId === null ? null : commitmentIsReservation ? 'Usage' : 'Spend',
      commitment_discount_status: commitmentId !== null && k.category === 'Usage' ? 'Used' : null,
      tags,
      extras,
    };
    return row;
  };
}

export const awsCurReader: FormatReader = {
  id: 'aws-cur',
  label: 'AWS Cost and Usage Report (legacy CUR, CUR 2.0)',
  signature: [
    'lineItem/UnblendedCost (CUR 2.0: line_item_unblended_cost)',
    'bill/BillingPeriodStartDate',
    'bill/BillingPeriodEndDate',
    'lineItem/LineItemType',
    'lineItem/UsageStartDate',
    'lineItem/CurrencyCode',
  ],
  detect(headers) {
    const keys = new Set(headers.map(columnKey));
    // Without the cost and the billing period nothing could be loaded, however CUR-like the rest.
    if (!keys.has(K.unblendedCost) || !keys.has(K.billingPeriodStart)) return 0;
    // Same scale as the FOCUS and GCP readers: 50 for the essentials, one more per core column.
    return 50 + CORE_KEYS.filter((key) => keys.has(key)).length;
  },
  createMapper: createAwsCurMapper,
};
