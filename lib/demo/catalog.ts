/**
 * What the demo estate is made of: three providers with their billing accounts, sub accounts,
 * regions, services and SKUs, priced like the public list prices (rounded to at most 7 decimals
 * for hourly items and 10 for per-request ones). Identifiers follow each provider's format
 * (ARNs, ARM resource ids, GCP full resource names); all names and numbers are invented.
 */

export type DemoProvider = 'aws' | 'azure' | 'gcp';
export type DemoEnv = 'prod' | 'staging' | 'dev' | 'research';

export interface Service {
  name: string;
  category: string;
  subcategory: string;
  /** Written to x_ServiceCode: the provider's own service code. */
  code: string;
}

export interface Region {
  id: string;
  name: string;
  /** AWS usage-type prefix (e.g. "APN2-"); empty elsewhere. */
  usagePrefix: string;
  /** Regional list price relative to the provider's cheapest region. */
  priceFactor: number;
  weight: number;
}

export interface SubAccount {
  key: string;
  id: string;
  name: string;
  env: DemoEnv;
  teams: readonly string[];
}

export interface BillingAccount {
  id: string;
  name: string;
  currency: 'USD' | 'EUR';
  /** Prices of this account relative to USD list prices (EUR price lists). */
  priceFactor: number;
  /** Negotiated discount off list (AWS EDP-style), in percent. */
  discountPercent: number;
  subAccounts: readonly SubAccount[];
  /** Regions this account's resources run in; defaults to the provider's. */
  regions?: readonly string[];
  /** Share of the provider's rows this account gets when sampling resources. */
  rowShare: number;
}

export type Quantity =
  /** Instance-hours per day. office: weekdays 12 h, weekends 2 h; bursty: mostly on, some short days. */
  | { kind: 'hours'; pattern: 'always' | 'office' | 'bursty'; count?: readonly [number, number] }
  /** Units per day, log-uniform base between min and max; weekend multiplier; ±noise. */
  | { kind: 'metered'; min: number; max: number; weekend: number; noise: number }
  /** A stock (GB) billed per month: each day carries stock / days-in-month unit-months. */
  | { kind: 'stored'; min: number; max: number };

export interface Template {
  key: string;
  service: Service;
  /** SKU label: instance type, meter or usage kind. */
  label: string;
  /** x_UsageType; "{rp}" is the region's usage prefix. */
  usage: string;
  resourceType: string;
  unit: string;
  /** List unit price in USD. */
  price: string;
  /** Decimals of the unit price (default 7); quantities get 10 - priceDecimals. */
  priceDecimals?: number;
  qty: Quantity;
  weight: number;
  envs?: readonly DemoEnv[];
  teams?: readonly string[];
  regions?: readonly string[];
  /** Resource id pattern; placeholders in braces (see fillPattern). Empty: no resource id. */
  rid: string;
  /** Resource name pattern. */
  name: string;
  zonal?: boolean;
  gpu?: boolean;
  description?: string;
}

export interface Commitment {
  key: string;
  /** Template of the covered instances. */
  template: string;
  subAccount: string;
  region: string;
  type: string;
  category: 'Spend' | 'Usage';
  /** Discount of the commitment rate off the list price, in percent. */
  discountPercent: number;
  /** Id pattern (same placeholders as resource ids). */
  id: string;
  name: string;
  /** Instance-hours a day bought but not used (gives the daily "Unused" row). */
  spareInstances: number;
}

export interface ProviderCatalog {
  provider: DemoProvider;
  providerName: string;
  publisherName: string;
  invoiceIssuerName: string;
  sourceName: string;
  /** Share of the demo's rows. */
  rowShare: number;
  /** Growth of metered usage over the 13 months (0.3 = +30%). */
  growth: number;
  billingAccounts: readonly BillingAccount[];
  regions: readonly Region[];
  templates: readonly Template[];
  commitments: readonly Commitment[];
  /** Templates always present, one resource each: GPU families and the lines the spikes act on. */
  anchors: readonly { template: string; subAccount: string; region: string; base?: number }[];
}

export const TEAM_APPS: Readonly<Record<string, readonly string[]>> = {
  platform: ['k8s', 'gateway', 'observability'],
  web: ['storefront', 'cms', 'images'],
  payments: ['checkout', 'ledger'],
  data: ['warehouse', 'etl', 'events'],
  ml: ['llm-finetune', 'recsys', 'embeddings'],
  search: ['search-api', 'indexer'],
};

// ---------------------------------------------------------------------------------------------
// AWS

const awsSvc = {
  ec2: { name: 'Amazon Elastic Compute Cloud', category: 'Compute', subcategory: 'Virtual Machines', code: 'AmazonEC2' },
  ebs: { name: 'Amazon Elastic Block Store', category: 'Storage', subcategory: 'Block Storage', code: 'AmazonEC2' },
  s3: { name: 'Amazon Simple Storage Service', category: 'Storage', subcategory: 'Object Storage', code: 'AmazonS3' },
  rds: { name: 'Amazon Relational Database Service', category: 'Databases', subcategory: 'Relational Databases', code: 'AmazonRDS' },
  ddb: { name: 'Amazon DynamoDB', category: 'Databases', subcategory: 'NoSQL Databases', code: 'AmazonDynamoDB' },
  cache: { name: 'Amazon ElastiCache', category: 'Databases', subcategory: 'Caching', code: 'AmazonElastiCache' },
  redshift: { name: 'Amazon Redshift', category: 'Databases', subcategory: 'Data Warehouses', code: 'AmazonRedshift' },
  lambda: { name: 'AWS Lambda', category: 'Compute', subcategory: 'Serverless Compute', code: 'AWSLambda' },
  eks: { name: 'Amazon Elastic Kubernetes Service', category: 'Compute', subcategory: 'Containers', code: 'AmazonEKS' },
  cf: { name: 'Amazon CloudFront', category: 'Networking', subcategory: 'Content Delivery', code: 'AmazonCloudFront' },
  dt: { name: 'AWS Data Transfer', category: 'Networking', subcategory: 'Network Connectivity', code: 'AWSDataTransfer' },
  vpc: { name: 'Amazon Virtual Private Cloud', category: 'Networking', subcategory: 'Network Infrastructure', code: 'AmazonVPC' },
  sm: { name: 'Amazon SageMaker', category: 'AI and Machine Learning', subcategory: 'Machine Learning', code: 'AmazonSageMaker' },
  bedrock: { name: 'Amazon Bedrock', category: 'AI and Machine Learning', subcategory: 'Generative AI', code: 'AmazonBedrock' },
  athena: { name: 'Amazon Athena', category: 'Analytics', subcategory: 'Analytics Platforms', code: 'AmazonAthena' },
  kinesis: { name: 'Amazon Kinesis', category: 'Analytics', subcategory: 'Streaming Analytics', code: 'AmazonKinesis' },
  cw: { name: 'Amazon CloudWatch', category: 'Management and Governance', subcategory: 'Observability', code: 'AmazonCloudWatch' },
  guardduty: { name: 'Amazon GuardDuty', category: 'Security', subcategory: 'Threat Detection and Response', code: 'AmazonGuardDuty' },
} as const satisfies Record<string, Service>;

const ec2 = (type: string, price: string, weight: number, extra: Partial<Template> = {}): Template => ({
  key: `aws-ec2-${type}`,
  service: awsSvc.ec2,
  label: type,
  usage: `{rp}BoxUsage:${type}`,
  resourceType: 'Instance',
  unit: 'Hrs',
  price,
  qty: { kind: 'hours', pattern: 'always' },
  weight,
  rid: 'arn:aws:ec2:{region}:{account}:instance/i-0{hex16}',
  name: '{app}-{env}-{nn}',
  zonal: true,
  description: `$${price} per On Demand Linux ${type} Instance Hour`,
  ...extra,
});

export const AWS: ProviderCatalog = {
  provider: 'aws',
  providerName: 'AWS',
  publisherName: 'AWS',
  invoiceIssuerName: 'Amazon Web Services, Inc.',
  sourceName: 'demo-aws',
  rowShare: 0.45,
  growth: 0.3,
  billingAccounts: [
    {
      id: '381492570163',
      name: 'Burnrate Demo Org',
      currency: 'USD',
      priceFactor: 1,
      discountPercent: 6,
      rowShare: 1,
      subAccounts: [
        { key: 'prod-platform', id: '504913278841', name: 'prod-platform', env: 'prod', teams: ['platform', 'web', 'payments'] },
        { key: 'prod-data', id: '611278409955', name: 'prod-data', env: 'prod', teams: ['data', 'search'] },
        { key: 'ml-research', id: '729104856312', name: 'ml-research', env: 'research', teams: ['ml'] },
        { key: 'staging', id: '845019273664', name: 'staging', env: 'staging', teams: ['platform', 'web', 'payments', 'data'] },
        { key: 'dev-sandbox', id: '902716483520', name: 'dev-sandbox', env: 'dev', teams: ['platform', 'web', 'ml', 'search'] },
        { key: 'shared-network', id: '177340928615', name: 'shared-network', env: 'prod', teams: ['platform'] },
      ],
    },
  ],
  regions: [
    { id: 'us-east-1', name: 'US East (N. Virginia)', usagePrefix: 'USE1-', priceFactor: 1, weight: 30 },
    { id: 'us-west-2', name: 'US West (Oregon)', usagePrefix: 'USW2-', priceFactor: 1, weight: 14 },
    { id: 'eu-west-1', name: 'Europe (Ireland)', usagePrefix: 'EU-', priceFactor: 1.08, weight: 14 },
    { id: 'eu-central-1', name: 'Europe (Frankfurt)', usagePrefix: 'EUC1-', priceFactor: 1.15, weight: 9 },
    { id: 'ap-northeast-1', name: 'Asia Pacific (Tokyo)', usagePrefix: 'APN1-', priceFactor: 1.25, weight: 8 },
    { id: 'ap-northeast-2', name: 'Asia Pacific (Seoul)', usagePrefix: 'APN2-', priceFactor: 1.2, weight: 9 },
    { id: 'ap-southeast-1', name: 'Asia Pacific (Singapore)', usagePrefix: 'APS1-', priceFactor: 1.2, weight: 7 },
    { id: 'sa-east-1', name: 'South America (São Paulo)', usagePrefix: 'SAE1-', priceFactor: 1.55, weight: 4 },
  ],
  templates: [
    ec2('m6i.2xlarge', '0.384', 12, { envs: ['prod', 'staging'] }),
    ec2('m6i.4xlarge', '0.768', 5, { envs: ['prod'] }),
    ec2('c6i.4xlarge', '0.68', 7, { envs: ['prod', 'staging'] }),
    ec2('r6i.2xlarge', '0.504', 5, { envs: ['prod', 'staging'], teams: ['data', 'search'] }),
    ec2('t3.large', '0.0832', 10, { envs: ['dev', 'staging'], qty: { kind: 'hours', pattern: 'office' } }),
    ec2('m7g.xlarge', '0.1632', 8),
    ec2('g5.xlarge', '1.006', 3, {
      envs: ['research', 'dev', 'prod'],
      teams: ['ml', 'search'],
      gpu: true,
      qty: { kind: 'hours', pattern: 'bursty' },
    }),
    ec2('g5.12xlarge', '5.672', 1, { envs: ['research', 'prod'], teams: ['ml'], gpu: true, qty: { kind: 'hours', pattern: 'bursty' } }),
    ec2('p5.48xlarge', '98.32', 0.25, {
      envs: ['research'],
      teams: ['ml'],
      gpu: true,
      regions: ['us-east-1', 'us-west-2', 'ap-northeast-2'],
      qty: { kind: 'hours', pattern: 'bursty' },
    }),
    {
      key: 'aws-ebs-gp3',
      service: awsSvc.ebs,
      label: 'gp3',
      usage: '{rp}EBS:VolumeUsage.gp3',
      resourceType: 'Volume',
      unit: 'GB-Mo',
      price: '0.08',
      qty: { kind: 'stored', min: 50, max: 4000 },
      weight: 14,
      rid: 'arn:aws:ec2:{region}:{account}:volume/vol-0{hex16}',
      name: '{app}-{env}-{nn}-data',
      zonal: true,
      description: '$0.08 per GB-month of General Purpose (gp3) provisioned storage',
    },
    {
      key: 'aws-s3-standard',
      service: awsSvc.s3,
      label: 'Standard',
      usage: '{rp}TimedStorage-ByteHrs',
      resourceType: 'Bucket',
      unit: 'GB-Mo',
      price: '0.023',
      qty: { kind: 'stored', min: 300, max: 300_000 },
      weight: 6,
      rid: 'arn:aws:s3:::{name}',
      name: 'burnrate-{app}-{env}-{word}-{hex4}',
      description: '$0.023 per GB - first 50 TB / month of storage used',
    },
    {
      key: 'aws-s3-requests',
      service: awsSvc.s3,
      label: 'Requests-Tier1',
      usage: '{rp}Requests-Tier1',
      resourceType: 'Bucket',
      unit: 'Requests',
      price: '0.000005',
      priceDecimals: 10,
      qty: { kind: 'metered', min: 50_000, max: 40_000_000, weekend: 0.75, noise: 0.2 },
      weight: 3,
      rid: 'arn:aws:s3:::{name}',
      name: 'burnrate-{app}-{env}-{word}-{hex4}',
      description: '$0.005 per 1,000 PUT, COPY, POST, or LIST requests',
    },
    {
      key: 'aws-rds-r6g.2xlarge',
      service: awsSvc.rds,
      label: 'db.r6g.2xlarge',
      usage: '{rp}Multi-AZUsage:db.r6g.2xl',
      resourceType: 'DB Instance',
      unit: 'Hrs',
      price: '1.7',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 3,
      envs: ['prod'],
      rid: 'arn:aws:rds:{region}:{account}:db:{name}',
      name: '{app}-{env}-db',
      description: '$1.70 per RDS db.r6g.2xlarge Multi-AZ instance hour running PostgreSQL',
    },
    {
      key: 'aws-rds-m6g.large',
      service: awsSvc.rds,
      label: 'db.m6g.large',
      usage: '{rp}InstanceUsage:db.m6g.large',
      resourceType: 'DB Instance',
      unit: 'Hrs',
      price: '0.152',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 4,
      rid: 'arn:aws:rds:{region}:{account}:db:{name}',
      name: '{app}-{env}-db-{nn}',
      description: '$0.152 per RDS db.m6g.large Single-AZ instance hour running PostgreSQL',
    },
    {
      key: 'aws-rds-storage',
      service: awsSvc.rds,
      label: 'gp3 storage',
      usage: '{rp}RDS:GP3-Storage',
      resourceType: 'DB Instance',
      unit: 'GB-Mo',
      price: '0.115',
      qty: { kind: 'stored', min: 100, max: 6000 },
      weight: 3,
      rid: 'arn:aws:rds:{region}:{account}:db:{name}',
      name: '{app}-{env}-db',
      description: '$0.115 per GB-month of provisioned gp3 storage running PostgreSQL',
    },
    {
      key: 'aws-dynamodb-writes',
      service: awsSvc.ddb,
      label: 'WriteRequestUnits',
      usage: '{rp}WriteRequestUnits',
      resourceType: 'Table',
      unit: 'WriteRequestUnits',
      price: '0.00000125',
      priceDecimals: 10,
      qty: { kind: 'metered', min: 500_000, max: 300_000_000, weekend: 0.7, noise: 0.2 },
      weight: 3,
      rid: 'arn:aws:dynamodb:{region}:{account}:table/{name}',
      name: '{app}-{env}-{word}',
      description: '$1.25 per million write request units',
    },
    {
      key: 'aws-elasticache-r6g.large',
      service: awsSvc.cache,
      label: 'cache.r6g.large',
      usage: '{rp}NodeUsage:cache.r6g.large',
      resourceType: 'Cache Cluster',
      unit: 'Hrs',
      price: '0.206',
      qty: { kind: 'hours', pattern: 'always', count: [1, 6] },
      weight: 3,
      rid: 'arn:aws:elasticache:{region}:{account}:cluster:{name}',
      name: '{app}-{env}-redis',
      description: '$0.206 per Redis cache.r6g.large node-hour',
    },
    {
      key: 'aws-redshift-ra3.4xlarge',
      service: awsSvc.redshift,
      label: 'ra3.4xlarge',
      usage: '{rp}Node:ra3.4xlarge',
      resourceType: 'Cluster',
      unit: 'Hrs',
      price: '3.26',
      qty: { kind: 'hours', pattern: 'always', count: [2, 4] },
      weight: 1,
      envs: ['prod'],
      teams: ['data'],
      rid: 'arn:aws:redshift:{region}:{account}:cluster:{name}',
      name: '{app}-{env}-dw',
      description: '$3.26 per RA3 4XL node-hour',
    },
    {
      key: 'aws-lambda-gbs',
      service: awsSvc.lambda,
      label: 'Lambda-GB-Second',
      usage: '{rp}Lambda-GB-Second',
      resourceType: 'Function',
      unit: 'Lambda-GB-Second',
      price: '0.0000166667',
      priceDecimals: 10,
      qty: { kind: 'metered', min: 5_000, max: 20_000_000, weekend: 0.7, noise: 0.25 },
      weight: 4,
      rid: 'arn:aws:lambda:{region}:{account}:function:{name}',
      name: '{app}-{env}-{word}',
      description: 'AWS Lambda - Total Compute - $0.0000166667 per GB-second',
    },
    {
      key: 'aws-eks-cluster',
      service: awsSvc.eks,
      label: 'perCluster',
      usage: '{rp}AmazonEKS-Hours:perCluster',
      resourceType: 'Cluster',
      unit: 'Hours',
      price: '0.1',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 2,
      rid: 'arn:aws:eks:{region}:{account}:cluster/{name}',
      name: '{app}-{env}-eks',
      description: '$0.10 per hour per Amazon EKS cluster',
    },
    {
      key: 'aws-cloudfront-out',
      service: awsSvc.cf,
      label: 'DataTransfer-Out-Bytes',
      usage: 'US-DataTransfer-Out-Bytes',
      resourceType: 'Distribution',
      unit: 'GB',
      price: '0.085',
      qty: { kind: 'metered', min: 200, max: 25_000, weekend: 0.85, noise: 0.15 },
      weight: 2,
      envs: ['prod'],
      teams: ['web'],
      regions: ['global'],
      rid: 'arn:aws:cloudfront::{account}:distribution/E{HEX13}',
      name: '{app}-{env}-cdn',
      description: '$0.085 per GB - first 10 TB / month data transfer out',
    },
    {
      key: 'aws-data-transfer-out',
      service: awsSvc.dt,
      label: 'DataTransfer-Out-Bytes',
      usage: '{rp}DataTransfer-Out-Bytes',
      resourceType: 'Data Transfer',
      unit: 'GB',
      price: '0.09',
      qty: { kind: 'metered', min: 50, max: 4_000, weekend: 0.7, noise: 0.2 },
      weight: 5,
      envs: ['prod', 'staging'],
      rid: '',
      name: '',
      description: '$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier',
    },
    {
      key: 'aws-nat-hours',
      service: awsSvc.vpc,
      label: 'NatGateway-Hours',
      usage: '{rp}NatGateway-Hours',
      resourceType: 'NAT Gateway',
      unit: 'Hrs',
      price: '0.045',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 3,
      rid: 'arn:aws:ec2:{region}:{account}:natgateway/nat-0{hex16}',
      name: '{env}-nat-{nn}',
      description: '$0.045 per NAT Gateway Hour',
    },
    {
      key: 'aws-nat-bytes',
      service: awsSvc.vpc,
      label: 'NatGateway-Bytes',
      usage: '{rp}NatGateway-Bytes',
      resourceType: 'NAT Gateway',
      unit: 'GB',
      price: '0.045',
      qty: { kind: 'metered', min: 50, max: 6_000, weekend: 0.7, noise: 0.2 },
      weight: 3,
      rid: 'arn:aws:ec2:{region}:{account}:natgateway/nat-0{hex16}',
      name: '{env}-nat-{nn}',
      description: '$0.045 per GB Data Processed by NAT Gateways',
    },
    {
      key: 'aws-sagemaker-endpoint',
      service: awsSvc.sm,
      label: 'ml.g5.2xlarge',
      usage: '{rp}Host:ml.g5.2xlarge',
      resourceType: 'Endpoint',
      unit: 'Hrs',
      price: '1.515',
      qty: { kind: 'hours', pattern: 'always', count: [1, 4] },
      weight: 2,
      envs: ['prod', 'research'],
      teams: ['ml', 'search'],
      rid: 'arn:aws:sagemaker:{region}:{account}:endpoint/{name}',
      name: '{app}-{env}-endpoint',
      description: '$1.515 per Hosting ml.g5.2xlarge hour',
    },
    {
      key: 'aws-bedrock-input',
      service: awsSvc.bedrock,
      label: 'InputTokenCount',
      usage: '{rp}InputTokenCount',
      resourceType: 'Model Invocation',
      unit: '1K tokens',
      price: '0.003',
      qty: { kind: 'metered', min: 2_000, max: 300_000, weekend: 0.6, noise: 0.3 },
      weight: 2,
      envs: ['prod', 'research', 'dev'],
      teams: ['ml', 'web', 'search'],
      regions: ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'],
      rid: '',
      name: '',
      description: '$0.003 per 1,000 input tokens',
    },
    {
      key: 'aws-athena-scan',
      service: awsSvc.athena,
      label: 'DataScannedInTB',
      usage: '{rp}DataScannedInTB',
      resourceType: 'Workgroup',
      unit: 'Terabytes',
      price: '5',
      qty: { kind: 'metered', min: 0.2, max: 40, weekend: 0.35, noise: 0.4 },
      weight: 2,
      teams: ['data', 'search'],
      rid: 'arn:aws:athena:{region}:{account}:workgroup/{name}',
      name: '{app}-{env}',
      description: '$5.00 per Terabyte Scanned',
    },
    {
      key: 'aws-kinesis-shards',
      service: awsSvc.kinesis,
      label: 'ShardHour',
      usage: '{rp}Storage-ShardHour',
      resourceType: 'Stream',
      unit: 'ShardHour',
      price: '0.015',
      qty: { kind: 'hours', pattern: 'always', count: [2, 48] },
      weight: 1,
      teams: ['data'],
      rid: 'arn:aws:kinesis:{region}:{account}:stream/{name}',
      name: '{app}-{env}-stream',
      description: '$0.015 per provisioned shard-hour',
    },
    {
      key: 'aws-cloudwatch-logs',
      service: awsSvc.cw,
      label: 'DataProcessing-Bytes',
      usage: '{rp}DataProcessing-Bytes',
      resourceType: 'Log Group',
      unit: 'GB',
      price: '0.5',
      qty: { kind: 'metered', min: 5, max: 300, weekend: 0.8, noise: 0.15 },
      weight: 3,
      rid: 'arn:aws:logs:{region}:{account}:log-group:/aws/{app}/{env}',
      name: '/aws/{app}/{env}',
      description: '$0.50 per GB custom log data ingested',
    },
    {
      key: 'aws-guardduty-events',
      service: awsSvc.guardduty,
      label: 'PaidEventsAnalyzed',
      usage: '{rp}PaidEventsAnalyzed',
      resourceType: 'Detector',
      unit: 'Million Events',
      price: '1',
      qty: { kind: 'metered', min: 2, max: 40, weekend: 0.9, noise: 0.1 },
      weight: 1,
      rid: 'arn:aws:guardduty:{region}:{account}:detector/{hex32}',
      name: '',
      description: '$1.00 per one million CloudTrail management events analyzed',
    },
  ],
  commitments: [
    {
      key: 'aws-compute-sp',
      template: 'aws-ec2-m6i.4xlarge',
      subAccount: 'prod-platform',
      region: 'us-east-1',
      type: 'Savings Plan',
      category: 'Spend',
      discountPercent: 28,
      id: 'arn:aws:savingsplans::{payer}:savingsplan/{guid}',
      name: 'Compute Savings Plan 1yr No Upfront',
      spareInstances: 1,
    },
  ],
  anchors: [
    { template: 'aws-ec2-p5.48xlarge', subAccount: 'ml-research', region: 'us-east-1' },
    { template: 'aws-ec2-g5.xlarge', subAccount: 'ml-research', region: 'ap-northeast-2' },
    { template: 'aws-data-transfer-out', subAccount: 'prod-platform', region: 'eu-west-1', base: 6000 },
  ],
};

// ---------------------------------------------------------------------------------------------
// Microsoft Azure

const azSvc = {
  vm: { name: 'Virtual Machines', category: 'Compute', subcategory: 'Virtual Machines', code: 'Microsoft.Compute' },
  disk: { name: 'Storage', category: 'Storage', subcategory: 'Block Storage', code: 'Microsoft.Compute' },
  blob: { name: 'Storage Accounts', category: 'Storage', subcategory: 'Object Storage', code: 'Microsoft.Storage' },
  sql: { name: 'Azure SQL Database', category: 'Databases', subcategory: 'Relational Databases', code: 'Microsoft.Sql' },
  cosmos: { name: 'Azure Cosmos DB', category: 'Databases', subcategory: 'NoSQL Databases', code: 'Microsoft.DocumentDB' },
  redis: { name: 'Azure Cache for Redis', category: 'Databases', subcategory: 'Caching', code: 'Microsoft.Cache' },
  aks: { name: 'Azure Kubernetes Service', category: 'Compute', subcategory: 'Containers', code: 'Microsoft.ContainerService' },
  func: { name: 'Azure Functions', category: 'Compute', subcategory: 'Serverless Compute', code: 'Microsoft.Web' },
  openai: {
    name: 'Azure OpenAI Service',
    category: 'AI and Machine Learning',
    subcategory: 'Generative AI',
    code: 'Microsoft.CognitiveServices',
  },
  bw: { name: 'Bandwidth', category: 'Networking', subcategory: 'Network Connectivity', code: 'Microsoft.Network' },
  afd: { name: 'Azure Front Door', category: 'Networking', subcategory: 'Content Delivery', code: 'Microsoft.Cdn' },
  logs: {
    name: 'Log Analytics',
    category: 'Management and Governance',
    subcategory: 'Observability',
    code: 'Microsoft.OperationalInsights',
  },
  synapse: { name: 'Azure Synapse Analytics', category: 'Analytics', subcategory: 'Analytics Platforms', code: 'Microsoft.Synapse' },
} as const satisfies Record<string, Service>;

const azRid = (provider: string, kind: string) => `{sub}/resourceGroups/rg-{app}-{env}/providers/${provider}/${kind}/{name}`;

const azVm = (size: string, meter: string, price: string, weight: number, extra: Partial<Template> = {}): Template => ({
  key: `azure-vm-${size}`,
  service: azSvc.vm,
  label: size,
  usage: meter,
  resourceType: 'Virtual machine',
  unit: '1 Hour',
  price,
  qty: { kind: 'hours', pattern: 'always' },
  weight,
  rid: azRid('Microsoft.Compute', 'virtualMachines'),
  name: 'vm-{app}-{env}-{nn}',
  description: `${meter} - Linux`,
  ...extra,
});

export const AZURE: ProviderCatalog = {
  provider: 'azure',
  providerName: 'Microsoft',
  publisherName: 'Microsoft',
  invoiceIssuerName: 'Microsoft',
  sourceName: 'demo-azure',
  rowShare: 0.25,
  growth: 0.4,
  billingAccounts: [
    {
      id: '/providers/Microsoft.Billing/billingAccounts/74628139',
      name: 'Burnrate Demo Inc.',
      currency: 'USD',
      priceFactor: 1,
      discountPercent: 0,
      rowShare: 0.88,
      regions: ['eastus', 'westus2', 'westeurope', 'japaneast', 'koreacentral', 'southeastasia', 'brazilsouth'],
      subAccounts: [
        {
          key: 'prod-web',
          id: '/subscriptions/3f6d2a91-7c1e-4b8a-9d52-0e4c7b1a6f38',
          name: 'prod-web',
          env: 'prod',
          teams: ['web', 'payments', 'platform'],
        },
        {
          key: 'prod-ai',
          id: '/subscriptions/b82e5c07-14fa-4d39-a6e1-5c9f0d2b7e41',
          name: 'prod-ai',
          env: 'prod',
          teams: ['ml', 'search'],
        },
        { key: 'analytics', id: '/subscriptions/6a0c9e4d-2b71-4f85-8c3a-d17e5f0b92c6', name: 'analytics', env: 'prod', teams: ['data'] },
        {
          key: 'dev-test',
          id: '/subscriptions/e4157b2c-98d0-4a6e-b3f1-72c8a05d9e13',
          name: 'dev-test',
          env: 'dev',
          teams: ['web', 'ml', 'data', 'platform'],
        },
      ],
    },
    {
      id: '/providers/Microsoft.Billing/billingAccounts/58203917',
      name: 'Burnrate Demo GmbH',
      currency: 'EUR',
      priceFactor: 0.93,
      discountPercent: 0,
      rowShare: 0.12,
      regions: ['germanywestcentral', 'westeurope'],
      subAccounts: [
        {
          key: 'eu-retail-prod',
          id: '/subscriptions/9c3b7e15-6f20-4d8b-a4c9-31e0f8d5b627',
          name: 'eu-retail-prod',
          env: 'prod',
          teams: ['web', 'payments'],
        },
      ],
    },
  ],
  regions: [
    { id: 'eastus', name: 'East US', usagePrefix: '', priceFactor: 1, weight: 30 },
    { id: 'westus2', name: 'West US 2', usagePrefix: '', priceFactor: 1, weight: 12 },
    { id: 'westeurope', name: 'West Europe', usagePrefix: '', priceFactor: 1.1, weight: 22 },
    { id: 'germanywestcentral', name: 'Germany West Central', usagePrefix: '', priceFactor: 1.12, weight: 10 },
    { id: 'japaneast', name: 'Japan East', usagePrefix: '', priceFactor: 1.22, weight: 12 },
    { id: 'koreacentral', name: 'Korea Central', usagePrefix: '', priceFactor: 1.18, weight: 12 },
    { id: 'southeastasia', name: 'Southeast Asia', usagePrefix: '', priceFactor: 1.15, weight: 8 },
    { id: 'brazilsouth', name: 'Brazil South', usagePrefix: '', priceFactor: 1.5, weight: 4 },
  ],
  templates: [
    azVm('Standard_D4s_v5', 'D4s v5', '0.192', 12),
    azVm('Standard_D8s_v5', 'D8s v5', '0.384', 8, { envs: ['prod'] }),
    azVm('Standard_E8s_v5', 'E8s v5', '0.504', 5, { teams: ['data', 'search', 'payments'] }),
    azVm('Standard_F8s_v2', 'F8s v2', '0.338', 4),
    azVm('Standard_B2ms', 'B2ms', '0.0832', 9, { envs: ['dev'], qty: { kind: 'hours', pattern: 'office' } }),
    azVm('Standard_NC24ads_A100_v4', 'NC24ads A100 v4', '3.673', 1.5, {
      envs: ['prod', 'dev'],
      teams: ['ml', 'search'],
      gpu: true,
      qty: { kind: 'hours', pattern: 'bursty' },
    }),
    azVm('Standard_ND96isr_H100_v5', 'ND96isr H100 v5', '98.32', 0.3, {
      envs: ['prod'],
      teams: ['ml'],
      gpu: true,
      regions: ['eastus', 'westeurope', 'koreacentral'],
      qty: { kind: 'hours', pattern: 'bursty' },
    }),
    {
      key: 'azure-disk-p30',
      service: azSvc.disk,
      label: 'Premium SSD Managed Disks',
      usage: 'P30 LRS Disk',
      resourceType: 'Disk',
      unit: '1 GB/Month',
      price: '0.1352',
      qty: { kind: 'stored', min: 64, max: 4096 },
      weight: 12,
      rid: azRid('Microsoft.Compute', 'disks'),
      name: 'disk-{app}-{env}-{nn}',
      description: 'Premium SSD Managed Disks - P30 LRS Disk',
    },
    {
      key: 'azure-blob-hot',
      service: azSvc.blob,
      label: 'Hot LRS Data Stored',
      usage: 'Hot LRS Data Stored',
      resourceType: 'Storage account',
      unit: '1 GB/Month',
      price: '0.0184',
      qty: { kind: 'stored', min: 200, max: 200_000 },
      weight: 6,
      rid: azRid('Microsoft.Storage', 'storageAccounts'),
      name: 'st{app}{env}{hex4}',
      description: 'Blob Storage - Hot LRS Data Stored',
    },
    {
      key: 'azure-sql-gp8',
      service: azSvc.sql,
      label: 'General Purpose - Compute Gen5 - 8 vCore',
      usage: 'vCore',
      resourceType: 'SQL database',
      unit: '1 Hour',
      price: '2.0176',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 3,
      envs: ['prod'],
      rid: '{sub}/resourceGroups/rg-{app}-{env}/providers/Microsoft.Sql/servers/sql-{app}-{env}/databases/{name}',
      name: '{app}db',
      description: 'SQL Database Single/Elastic Pool General Purpose - Compute Gen5 - vCore',
    },
    {
      key: 'azure-cosmos-ru',
      service: azSvc.cosmos,
      label: '100 RU/s',
      usage: '100 RU/s',
      resourceType: 'Azure Cosmos DB account',
      unit: '100/Hour',
      price: '0.008',
      qty: { kind: 'hours', pattern: 'always', count: [4, 120] },
      weight: 3,
      rid: azRid('Microsoft.DocumentDB', 'databaseAccounts'),
      name: 'cosmos-{app}-{env}',
      description: 'Azure Cosmos DB - 100 RU/s',
    },
    {
      key: 'azure-redis-p1',
      service: azSvc.redis,
      label: 'P1 Cache Instance',
      usage: 'P1 Cache Instance',
      resourceType: 'Azure Cache for Redis',
      unit: '1 Hour',
      price: '0.554',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 2,
      rid: azRid('Microsoft.Cache', 'Redis'),
      name: 'redis-{app}-{env}',
      description: 'Azure Cache for Redis - Premium P1 Cache Instance',
    },
    {
      key: 'azure-aks-standard',
      service: azSvc.aks,
      label: 'Standard Uptime SLA',
      usage: 'Standard Uptime SLA',
      resourceType: 'Kubernetes service',
      unit: '1 Hour',
      price: '0.1',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 2,
      rid: azRid('Microsoft.ContainerService', 'managedClusters'),
      name: 'aks-{app}-{env}',
      description: 'Azure Kubernetes Service - Standard Uptime SLA',
    },
    {
      key: 'azure-functions-gbs',
      service: azSvc.func,
      label: 'Standard Execution Time',
      usage: 'Standard Execution Time',
      resourceType: 'Function App',
      unit: '1 GB Second',
      price: '0.000016',
      priceDecimals: 10,
      qty: { kind: 'metered', min: 10_000, max: 10_000_000, weekend: 0.7, noise: 0.25 },
      weight: 3,
      rid: azRid('Microsoft.Web', 'sites'),
      name: 'func-{app}-{env}',
      description: 'Functions - Standard Execution Time',
    },
    {
      key: 'azure-openai-input',
      service: azSvc.openai,
      label: 'gpt-4o Input Tokens',
      usage: 'gpt-4o-0806-Inp-glbl Tokens',
      resourceType: 'Cognitive Services account',
      unit: '1K',
      price: '0.0025',
      qty: { kind: 'metered', min: 5_000, max: 300_000, weekend: 0.6, noise: 0.3 },
      weight: 2,
      teams: ['ml', 'web', 'search'],
      regions: ['eastus', 'westeurope', 'japaneast', 'koreacentral'],
      rid: azRid('Microsoft.CognitiveServices', 'accounts'),
      name: 'oai-{app}-{env}',
      description: 'Azure OpenAI - gpt-4o Input global Tokens',
    },
    {
      key: 'azure-bandwidth-out',
      service: azSvc.bw,
      label: 'Standard Data Transfer Out',
      usage: 'Standard Data Transfer Out',
      resourceType: 'Bandwidth',
      unit: '1 GB',
      price: '0.087',
      qty: { kind: 'metered', min: 50, max: 3_000, weekend: 0.7, noise: 0.2 },
      weight: 4,
      rid: '',
      name: '',
      description: 'Bandwidth - Standard Data Transfer Out',
    },
    {
      key: 'azure-frontdoor-out',
      service: azSvc.afd,
      label: 'Standard Data Transfer Out',
      usage: 'Standard Data Transfer Out',
      resourceType: 'Front Door and CDN profile',
      unit: '1 GB',
      price: '0.083',
      qty: { kind: 'metered', min: 100, max: 15_000, weekend: 0.85, noise: 0.15 },
      weight: 2,
      envs: ['prod'],
      regions: ['global'],
      rid: azRid('Microsoft.Cdn', 'profiles'),
      name: 'afd-{app}-{env}',
      description: 'Azure Front Door - Standard Data Transfer Out',
    },
    {
      key: 'azure-log-analytics',
      service: azSvc.logs,
      label: 'Analytics Logs Data Ingestion',
      usage: 'Analytics Logs Data Ingestion',
      resourceType: 'Log Analytics workspace',
      unit: '1 GB',
      price: '2.3',
      qty: { kind: 'metered', min: 2, max: 80, weekend: 0.8, noise: 0.15 },
      weight: 3,
      rid: azRid('Microsoft.OperationalInsights', 'workspaces'),
      name: 'log-{app}-{env}',
      description: 'Log Analytics - Analytics Logs Data Ingestion',
    },
    {
      key: 'azure-synapse-serverless',
      service: azSvc.synapse,
      label: 'Serverless SQL Pool Data Processed',
      usage: 'Standard Data Processed',
      resourceType: 'Synapse workspace',
      unit: '1 TB',
      price: '5',
      qty: { kind: 'metered', min: 0.1, max: 20, weekend: 0.35, noise: 0.4 },
      weight: 1.5,
      teams: ['data'],
      rid: azRid('Microsoft.Synapse', 'workspaces'),
      name: 'syn-{app}-{env}',
      description: 'Azure Synapse Analytics - Serverless SQL Pool Data Processed',
    },
  ],
  commitments: [
    {
      key: 'azure-reservation-d8s',
      template: 'azure-vm-Standard_D8s_v5',
      subAccount: 'prod-web',
      region: 'eastus',
      type: 'Reservation',
      category: 'Usage',
      discountPercent: 37,
      id: '/providers/Microsoft.Capacity/reservationOrders/{guid}/reservations/{guid2}',
      name: 'VM_RI_D8s_v5_eastus_1y',
      spareInstances: 0,
    },
  ],
  anchors: [
    { template: 'azure-vm-Standard_ND96isr_H100_v5', subAccount: 'prod-ai', region: 'eastus' },
    { template: 'azure-vm-Standard_NC24ads_A100_v4', subAccount: 'prod-ai', region: 'koreacentral' },
    { template: 'azure-vm-Standard_D4s_v5', subAccount: 'eu-retail-prod', region: 'germanywestcentral' },
    { template: 'azure-blob-hot', subAccount: 'eu-retail-prod', region: 'westeurope' },
  ],
};

// ---------------------------------------------------------------------------------------------
// Google Cloud

const gcpSvc = {
  gce: { name: 'Compute Engine', category: 'Compute', subcategory: 'Virtual Machines', code: '6F81-5844-456A' },
  gcs: { name: 'Cloud Storage', category: 'Storage', subcategory: 'Object Storage', code: '95FF-2EF5-5EA1' },
  bq: { name: 'BigQuery', category: 'Databases', subcategory: 'Data Warehouses', code: '24E6-581D-38E5' },
  sql: { name: 'Cloud SQL', category: 'Databases', subcategory: 'Relational Databases', code: '9662-B51E-5089' },
  redis: { name: 'Memorystore for Redis', category: 'Databases', subcategory: 'Caching', code: '5AF5-2C11-D467' },
  gke: { name: 'Kubernetes Engine', category: 'Compute', subcategory: 'Containers', code: 'CCD8-9BF1-090E' },
  run: { name: 'Cloud Run', category: 'Compute', subcategory: 'Serverless Compute', code: '152E-C115-5142' },
  vertex: { name: 'Vertex AI', category: 'AI and Machine Learning', subcategory: 'AI Platforms', code: 'C7E2-9256-1C43' },
  net: { name: 'Networking', category: 'Networking', subcategory: 'Network Connectivity', code: 'E505-1604-58F8' },
  cdn: { name: 'Cloud CDN', category: 'Networking', subcategory: 'Content Delivery', code: 'E505-1604-58F9' },
  logging: { name: 'Cloud Logging', category: 'Management and Governance', subcategory: 'Observability', code: '5490-F7B7-8DF6' },
  dataflow: { name: 'Dataflow', category: 'Analytics', subcategory: 'Data Processing', code: '8DD8-C2C9-A0F9' },
  pubsub: { name: 'Cloud Pub/Sub', category: 'Integration', subcategory: 'Messaging', code: 'A1E8-BE35-7EBC' },
} as const satisfies Record<string, Service>;

const gce = (type: string, price: string, weight: number, extra: Partial<Template> = {}): Template => ({
  key: `gcp-gce-${type}`,
  service: gcpSvc.gce,
  label: type,
  usage: `${type} running`,
  resourceType: 'Instance',
  unit: 'hour',
  price,
  qty: { kind: 'hours', pattern: 'always' },
  weight,
  rid: '//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{name}',
  name: '{app}-{env}-{hex4}',
  zonal: true,
  description: `${type} instance running`,
  ...extra,
});

export const GCP: ProviderCatalog = {
  provider: 'gcp',
  providerName: 'Google Cloud',
  publisherName: 'Google Cloud',
  invoiceIssuerName: 'Google Cloud',
  sourceName: 'demo-gcp',
  rowShare: 0.3,
  growth: 0.5,
  billingAccounts: [
    {
      id: '01A2B3-C4D5E6-F7A8B9',
      name: 'Burnrate Demo GCP',
      currency: 'USD',
      priceFactor: 1,
      discountPercent: 0,
      rowShare: 1,
      subAccounts: [
        { key: 'prod-api', id: 'burnrate-prod-api', name: 'Prod API', env: 'prod', teams: ['platform', 'web', 'payments'] },
        { key: 'data-warehouse', id: 'burnrate-data-warehouse', name: 'Data Warehouse', env: 'prod', teams: ['data', 'search'] },
        { key: 'ml-training', id: 'burnrate-ml-training', name: 'ML Training', env: 'research', teams: ['ml'] },
        { key: 'staging', id: 'burnrate-staging', name: 'Staging', env: 'staging', teams: ['platform', 'web', 'data'] },
        { key: 'shared-vpc', id: 'burnrate-shared-vpc', name: 'Shared VPC', env: 'prod', teams: ['platform'] },
      ],
    },
  ],
  regions: [
    { id: 'us-central1', name: 'Iowa', usagePrefix: '', priceFactor: 1, weight: 30 },
    { id: 'us-east4', name: 'Northern Virginia', usagePrefix: '', priceFactor: 1.13, weight: 12 },
    { id: 'europe-west4', name: 'Netherlands', usagePrefix: '', priceFactor: 1.1, weight: 18 },
    { id: 'europe-west1', name: 'Belgium', usagePrefix: '', priceFactor: 1.1, weight: 10 },
    { id: 'asia-northeast3', name: 'Seoul', usagePrefix: '', priceFactor: 1.28, weight: 12 },
    { id: 'asia-northeast1', name: 'Tokyo', usagePrefix: '', priceFactor: 1.28, weight: 10 },
    { id: 'asia-southeast1', name: 'Singapore', usagePrefix: '', priceFactor: 1.23, weight: 8 },
  ],
  templates: [
    gce('n2-standard-8', '0.388472', 12, { envs: ['prod', 'staging'] }),
    gce('e2-standard-4', '0.134012', 12),
    gce('c3-standard-8', '0.41904', 6, { envs: ['prod'] }),
    gce('n2-highmem-16', '1.048', 3, { envs: ['prod'], teams: ['data', 'search', 'payments'] }),
    gce('t2d-standard-4', '0.168984', 5, { envs: ['staging', 'research'], qty: { kind: 'hours', pattern: 'office' } }),
    gce('g2-standard-8', '0.853624', 2, {
      envs: ['research', 'prod'],
      teams: ['ml', 'search'],
      gpu: true,
      qty: { kind: 'hours', pattern: 'bursty' },
    }),
    gce('a3-highgpu-8g', '88.2531', 0.3, {
      envs: ['research'],
      teams: ['ml'],
      gpu: true,
      regions: ['us-central1', 'europe-west4', 'asia-northeast3'],
      qty: { kind: 'hours', pattern: 'bursty' },
    }),
    {
      key: 'gcp-pd-balanced',
      service: gcpSvc.gce,
      label: 'Balanced PD Capacity',
      usage: 'Balanced PD Capacity',
      resourceType: 'Disk',
      unit: 'gibibyte month',
      price: '0.1',
      qty: { kind: 'stored', min: 50, max: 4000 },
      weight: 10,
      rid: '//compute.googleapis.com/projects/{project}/zones/{zone}/disks/{name}',
      name: '{app}-{env}-{hex4}-pd',
      zonal: true,
      description: 'Balanced PD Capacity',
    },
    {
      key: 'gcp-gcs-standard',
      service: gcpSvc.gcs,
      label: 'Standard Storage',
      usage: 'Standard Storage',
      resourceType: 'Bucket',
      unit: 'gibibyte month',
      price: '0.02',
      qty: { kind: 'stored', min: 300, max: 400_000 },
      weight: 6,
      rid: '//storage.googleapis.com/projects/_/buckets/{name}',
      name: 'burnrate-{app}-{env}-{word}',
      description: 'Standard Storage US Multi-region',
    },
    {
      key: 'gcp-bq-analysis',
      service: gcpSvc.bq,
      label: 'Analysis',
      usage: 'Analysis',
      resourceType: 'Dataset',
      unit: 'tebibyte',
      price: '6.25',
      qty: { kind: 'metered', min: 0.5, max: 30, weekend: 0.35, noise: 0.35 },
      weight: 4,
      teams: ['data', 'search', 'ml'],
      rid: '//bigquery.googleapis.com/projects/{project}/datasets/{word}',
      name: '{word}',
      description: 'Analysis (on-demand)',
    },
    {
      key: 'gcp-bq-storage',
      service: gcpSvc.bq,
      label: 'Active Logical Storage',
      usage: 'Active Logical Storage',
      resourceType: 'Dataset',
      unit: 'gibibyte month',
      price: '0.02',
      qty: { kind: 'stored', min: 500, max: 300_000 },
      weight: 3,
      teams: ['data', 'search'],
      rid: '//bigquery.googleapis.com/projects/{project}/datasets/{word}',
      name: '{word}',
      description: 'Active Logical Storage',
    },
    {
      key: 'gcp-sql-vcpu',
      service: gcpSvc.sql,
      label: 'Cloud SQL for PostgreSQL: Zonal - vCPU',
      usage: 'Cloud SQL for PostgreSQL: Zonal - vCPU',
      resourceType: 'Instance',
      unit: 'hour',
      price: '0.0413',
      qty: { kind: 'hours', pattern: 'always', count: [2, 32] },
      weight: 4,
      rid: '//cloudsql.googleapis.com/projects/{project}/instances/{name}',
      name: '{app}-{env}-pg',
      description: 'Cloud SQL for PostgreSQL: Zonal - vCPU in Americas',
    },
    {
      key: 'gcp-memorystore',
      service: gcpSvc.redis,
      label: 'Redis Capacity Standard M2',
      usage: 'Redis Capacity Standard M2',
      resourceType: 'Instance',
      unit: 'gibibyte hour',
      price: '0.049',
      qty: { kind: 'hours', pattern: 'always', count: [5, 50] },
      weight: 2,
      rid: '//redis.googleapis.com/projects/{project}/locations/{region}/instances/{name}',
      name: '{app}-{env}-cache',
      description: 'Redis Capacity Standard M2',
    },
    {
      key: 'gcp-gke-cluster',
      service: gcpSvc.gke,
      label: 'Regional Kubernetes Clusters',
      usage: 'Regional Kubernetes Clusters',
      resourceType: 'Cluster',
      unit: 'hour',
      price: '0.1',
      qty: { kind: 'hours', pattern: 'always' },
      weight: 2,
      rid: '//container.googleapis.com/projects/{project}/locations/{region}/clusters/{name}',
      name: '{app}-{env}-gke',
      description: 'Regional Kubernetes Clusters',
    },
    {
      key: 'gcp-run-cpu',
      service: gcpSvc.run,
      label: 'CPU Allocation Time',
      usage: 'CPU Allocation Time',
      resourceType: 'Service',
      unit: 'second',
      price: '0.000024',
      priceDecimals: 10,
      qty: { kind: 'metered', min: 20_000, max: 20_000_000, weekend: 0.7, noise: 0.25 },
      weight: 4,
      rid: '//run.googleapis.com/projects/{project}/locations/{region}/services/{name}',
      name: '{app}-{env}',
      description: 'CPU Allocation Time (tier 1)',
    },
    {
      key: 'gcp-vertex-gemini',
      service: gcpSvc.vertex,
      label: 'Gemini Pro Input Tokens',
      usage: 'Gemini 1.5 Pro Text Input - Predictions',
      resourceType: 'Endpoint',
      unit: '1K tokens',
      price: '0.00125',
      qty: { kind: 'metered', min: 5_000, max: 500_000, weekend: 0.6, noise: 0.3 },
      weight: 2,
      teams: ['ml', 'web', 'search'],
      regions: ['us-central1', 'europe-west4', 'asia-northeast1', 'asia-northeast3'],
      rid: '',
      name: '',
      description: 'Gemini 1.5 Pro Text Input - Predictions',
    },
    {
      key: 'gcp-vertex-training-a100',
      service: gcpSvc.vertex,
      label: 'Custom Training NVIDIA A100 80GB',
      usage: 'Nvidia Tesla A100 80GB GPU running in training',
      resourceType: 'Custom Job',
      unit: 'hour',
      price: '3.9294',
      qty: { kind: 'hours', pattern: 'bursty', count: [1, 8] },
      weight: 1,
      teams: ['ml'],
      envs: ['research'],
      regions: ['us-central1', 'europe-west4', 'asia-northeast3'],
      rid: '//aiplatform.googleapis.com/projects/{project}/locations/{region}/customJobs/{digits}',
      name: '{app}-train-{hex4}',
      description: 'Vertex AI: Training on Nvidia Tesla A100 80GB GPU',
    },
    {
      key: 'gcp-egress',
      service: gcpSvc.net,
      label: 'Network Internet Data Transfer Out',
      usage: 'Network Internet Data Transfer Out from Americas to Americas',
      resourceType: 'Network',
      unit: 'gibibyte',
      price: '0.12',
      qty: { kind: 'metered', min: 20, max: 3_000, weekend: 0.7, noise: 0.2 },
      weight: 4,
      rid: '',
      name: '',
      description: 'Network Internet Data Transfer Out',
    },
    {
      key: 'gcp-cdn-egress',
      service: gcpSvc.cdn,
      label: 'Cache Egress',
      usage: 'Networking Cloud CDN Traffic Cache Egress',
      resourceType: 'Backend bucket',
      unit: 'gibibyte',
      price: '0.08',
      qty: { kind: 'metered', min: 100, max: 12_000, weekend: 0.85, noise: 0.15 },
      weight: 1.5,
      envs: ['prod'],
      regions: ['global'],
      rid: '//compute.googleapis.com/projects/{project}/global/backendBuckets/{name}',
      name: '{app}-{env}-cdn',
      description: 'Networking Cloud CDN Traffic Cache Egress',
    },
    {
      key: 'gcp-logging',
      service: gcpSvc.logging,
      label: 'Log Volume',
      usage: 'Log Volume',
      resourceType: 'Log bucket',
      unit: 'gibibyte',
      price: '0.5',
      qty: { kind: 'metered', min: 5, max: 150, weekend: 0.8, noise: 0.15 },
      weight: 3,
      rid: '//logging.googleapis.com/projects/{project}/locations/global/buckets/{name}',
      name: '{app}-{env}-logs',
      description: 'Log Volume',
    },
    {
      key: 'gcp-dataflow-vcpu',
      service: gcpSvc.dataflow,
      label: 'Dataflow Batch vCPU',
      usage: 'vCPU Time Batch',
      resourceType: 'Job',
      unit: 'hour',
      price: '0.056',
      qty: { kind: 'metered', min: 40, max: 3_000, weekend: 0.5, noise: 0.3 },
      weight: 2,
      teams: ['data'],
      rid: '//dataflow.googleapis.com/projects/{project}/locations/{region}/jobs/{name}',
      name: '{app}-{env}-pipeline',
      description: 'vCPU Time Batch',
    },
    {
      key: 'gcp-pubsub',
      service: gcpSvc.pubsub,
      label: 'Message Delivery Basic',
      usage: 'Message Delivery Basic',
      resourceType: 'Topic',
      unit: 'tebibyte',
      price: '40',
      qty: { kind: 'metered', min: 0.01, max: 2, weekend: 0.75, noise: 0.2 },
      weight: 1.5,
      rid: '//pubsub.googleapis.com/projects/{project}/topics/{name}',
      name: '{app}-{env}-events',
      description: 'Message Delivery Basic',
    },
  ],
  commitments: [
    {
      key: 'gcp-cud-n2',
      template: 'gcp-gce-n2-standard-8',
      subAccount: 'prod-api',
      region: 'us-central1',
      type: 'Committed Use Discount',
      category: 'Usage',
      discountPercent: 37,
      id: '//compute.googleapis.com/projects/burnrate-prod-api/regions/{region}/commitments/cud-n2-prod-1y',
      name: 'cud-n2-prod-1y',
      spareInstances: 1,
    },
  ],
  anchors: [
    { template: 'gcp-gce-a3-highgpu-8g', subAccount: 'ml-training', region: 'us-central1' },
    { template: 'gcp-gce-g2-standard-8', subAccount: 'ml-training', region: 'asia-northeast3' },
    { template: 'gcp-bq-analysis', subAccount: 'data-warehouse', region: 'europe-west4', base: 12 },
  ],
};

export const CATALOGS: Readonly<Record<DemoProvider, ProviderCatalog>> = { aws: AWS, azure: AZURE, gcp: GCP };
export const DEMO_PROVIDERS: readonly DemoProvider[] = ['aws', 'azure', 'gcp'];
