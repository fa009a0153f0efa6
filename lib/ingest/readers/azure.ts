/**
 * Azure Cost Management cost details exports (EA, MCA/MPA incl. CSP, pay-as-you-go and the older
 * usage-details schema with PreTaxCost/UsageDateTime) mapped to canonical FOCUS 1.2 rows.
 *
 * The mapping follows Microsoft's "Convert Cost Management data to FOCUS"
 * (https://learn.microsoft.com/cloud-computing/finops/focus/convert, source:
 * microsoft/finops-toolkit docs-mslearn/focus/convert.md) and, where that table is silent, the
 * toolkit's own converter (src/powershell/Public/ConvertTo-FinOpsSchema.ps1). Values a file does not
 * carry stay null; nothing is estimated.
 */

import { multiplyDecimals } from '../../decimal';
import type { CostRow } from '../../focus/columns';
import { currency, decimal, parseTags, regionId, text, timestamp, utcDay, ValueError } from '../../focus/normalize';
import { lookupRegion, regionForSpelling } from '../../focus/regions';
import { type FormatReader, IngestError, type MapperContext, type RecordMapper } from '../types';

// ---------------------------------------------------------------------------------------------
// Header resolution

/**
 * Header names are matched case-insensitively. Localized exports (German, for one) write the
 * English column name in parentheses after the translation, e.g. "Abonnement-GUID (SubscriptionGuid)";
 * that English name is what is matched. Localized headers without it are not recognised.
 */
export function azureHeaderKey(header: string): string {
  const t = header.trim().replace(/^\uFEFF/, '');
  const m = /\(([A-Za-z][A-Za-z0-9]*)\)\s*$/.exec(t);
  return (m ? m[1] : t).toLowerCase();
}

/** Every Azure field the mapper reads, with the spellings the export schemas use (first found wins). */
const FIELDS = {
  cost: ['costinbillingcurrency', 'cost', 'pretaxcost'],
  currency: ['billingcurrencycode', 'billingcurrency', 'currency'],
  date: ['date', 'usagedatetime', 'usagedate'],
  billingPeriodStart: ['billingperiodstartdate'],
  billingPeriodEnd: ['billingperiodenddate'],
  subscriptionId: ['subscriptionid', 'subscriptionguid'],
  subscriptionName: ['subscriptionname'],
  billingAccountId: ['billingaccountid'],
  billingAccountName: ['billingaccountname'],
  billingProfileId: ['billingprofileid'],
  billingProfileName: ['billingprofilename'],
  invoiceId: ['invoiceid'],
  chargeType: ['chargetype'],
  frequency: ['frequency'],
  pricingModel: ['pricingmodel'],
  consumedService: ['consumedservice'],
  meterCategory: ['metercategory'],
  serviceName: ['servicename'],
  location: ['resourcelocation', 'location', 'resourcelocationnormalized'],
  availabilityZone: ['availabilityzone'],
  resourceId: ['resourceid', 'instanceid', 'instancename'],
  resourceName: ['resourcename'],
  resourceType: ['resourcetype'],
  productName: ['productname', 'product'],
  productId: ['productid'],
  quantity: ['quantity', 'usagequantity'],
  unitOfMeasure: ['unitofmeasure'],
  unitPrice: ['unitprice'],
  paygPrice: ['paygprice'],
  paygCost: ['paygcostinbillingcurrency'],
  exchangeRate: ['exchangeratepricingtobilling'],
  pricingCurrency: ['pricingcurrency', 'pricingcurrencycode'],
  reservationId: ['reservationid'],
  reservationName: ['reservationname'],
  benefitId: ['benefitid'],
  benefitName: ['benefitname'],
  publisherName: ['publishername'],
  partnerName: ['partnername'],
  tags: ['tags'],
  additionalInfo: ['additionalinfo'],
} as const satisfies Record<string, readonly string[]>;

type Field = keyof typeof FIELDS;

/** Azure columns kept in `extras` under their usual (EA PascalCase) name, when the row has a value. */
const EXTRAS: readonly (readonly [key: string, ...aliases: string[]])[] = [
  ['ResourceGroup', 'resourcegroup', 'resourcegroupname'],
  ['ConsumedService', 'consumedservice'],
  ['MeterCategory', 'metercategory'],
  ['MeterSubCategory', 'metersubcategory'],
  ['MeterName', 'metername'],
  ['MeterId', 'meterid'],
  ['MeterRegion', 'meterregion'],
  ['PartNumber', 'partnumber'],
  ['ServiceFamily', 'servicefamily'],
  ['ServiceName', 'servicename'],
  ['ServiceTier', 'servicetier'],
  ['ServiceInfo1', 'serviceinfo1'],
  ['ServiceInfo2', 'serviceinfo2'],
  ['ProductOrderId', 'productorderid'],
  ['ProductOrderName', 'productordername'],
  ['OfferId', 'offerid'],
  ['PlanName', 'planname'],
  ['Term', 'term'],
  ['ChargeType', 'chargetype'],
  ['Frequency', 'frequency'],
  ['PricingModel', 'pricingmodel'],
  ['EffectivePrice', 'effectiveprice'],
  ['ResourceRate', 'resourcerate'],
  ['PayGPrice', 'paygprice'],
  ['ReservationId', 'reservationid'],
  ['ReservationName', 'reservationname'],
  ['BenefitId', 'benefitid'],
  ['BenefitName', 'benefitname'],
  ['BillingAccountId', 'billingaccountid'],
  ['BillingAccountName', 'billingaccountname'],
  ['BillingProfileId', 'billingprofileid'],
  ['BillingProfileName', 'billingprofilename'],
  ['InvoiceSectionId', 'invoicesectionid'],
  ['InvoiceSectionName', 'invoicesectionname', 'invoicesection'],
  ['PreviousInvoiceId', 'previousinvoiceid'],
  ['AccountName', 'accountname'],
  ['AccountOwnerId', 'accountownerid'],
  ['CostCenter', 'costcenter'],
  ['CostAllocationRuleName', 'costallocationrulename'],
  ['IsAzureCreditEligible', 'isazurecrediteligible'],
  ['PublisherType', 'publishertype'],
  ['PublisherId', 'publisherid'],
  ['PartnerName', 'partnername'],
  ['PartnerTenantId', 'partnertenantid'],
  ['ResellerName', 'resellername'],
  ['ResellerMpnId', 'resellermpnid'],
  ['CustomerName', 'customername'],
  ['CustomerTenantId', 'customertenantid'],
  ['PricingCurrency', 'pricingcurrency', 'pricingcurrencycode'],
  ['ExchangeRatePricingToBilling', 'exchangeratepricingtobilling'],
  ['ExchangeRateDate', 'exchangeratedate'],
  ['CostInUsd', 'costinusd'],
  ['CostInPricingCurrency', 'costinpricingcurrency'],
  ['PaygCostInUsd', 'paygcostinusd'],
  ['ServicePeriodStartDate', 'serviceperiodstartdate'],
  ['ServicePeriodEndDate', 'serviceperiodenddate'],
  // Also kept here because the FOCUS quantity columns are filled for usage rows only.
  ['Quantity', 'quantity', 'usagequantity'],
  ['UnitOfMeasure', 'unitofmeasure'],
];

function resolve(headers: readonly string[]): Record<Field, number> {
  const index = new Map<string, number>();
  headers.forEach((h, i) => {
    const key = azureHeaderKey(h);
    if (!index.has(key)) index.set(key, i);
  });
  const out = {} as Record<Field, number>;
  for (const field of Object.keys(FIELDS) as Field[]) {
    out[field] = -1;
    for (const alias of FIELDS[field]) {
      const i = index.get(alias);
      if (i !== undefined) {
        out[field] = i;
        break;
      }
    }
  }
  return out;
}

/** Columns every Azure cost export has in one of its spellings; also what detect() needs. */
const SIGNATURE = [
  'Date | UsageDateTime',
  'CostInBillingCurrency | Cost | PreTaxCost',
  'SubscriptionId | SubscriptionGuid',
  'MeterCategory',
];

/** Columns only Azure exports have; each one present makes detection more certain. */
const DISTINCTIVE = [
  'metercategory',
  'metersubcategory',
  'meterid',
  'consumedservice',
  'subscriptionguid',
  'subscriptionid',
  'resourcelocation',
  'chargetype',
  'pricingmodel',
  'billingperiodstartdate',
  'paygprice',
  'additionalinfo',
  'unitofmeasure',
  'resourcegroup',
  'costinbillingcurrency',
  'pretaxcost',
  'usagedatetime',
];

// ---------------------------------------------------------------------------------------------
// Regions: the one region table (lib/focus/regions-data.ts) knows each region's id, display name
// and the legacy spellings Azure exports still write ("US East", "EU West", "usnorth").

/**
 * RegionId and RegionName for a ResourceLocation: `EastUS`, `eastus`, `East US`, `US East` and
 * `us_east` are all `eastus` / "East US (Virginia)". Unknown locations keep their folded id and given name.
 */
export function azureRegion(location: string | null | undefined): { id: string | null; name: string | null } {
  const folded = regionId(location);
  if (folded === null) return { id: null, name: null };
  const region = regionForSpelling(folded) ?? lookupRegion(folded.replace(/_/g, ''));
  return region ? { id: region.id, name: region.name } : { id: folded, name: text(location) };
}

// ---------------------------------------------------------------------------------------------
// Services: Microsoft maps ConsumedService + ResourceType to ServiceName and ServiceCategory with
// its Services data file (finops-toolkit src/open-data/Services.csv, commit 0049a47c). Kept here:
// the service name and FOCUS category per resource type, grouped by service. Where a resource type
// appears under several ConsumedService values with different answers, the row whose
// ConsumedService is the type's own namespace is the one kept; the few Defender-plan rows that
// depend on ConsumedService are in SERVICE_OVERRIDES. `ns/*` stands for every type of a namespace.

const SERVICES: readonly (readonly [name: string, category: string, types: readonly string[]])[] = [
  ['API Center', 'Integration', ['microsoft.apicenter/service', 'microsoft.apicenter/services']],
  ['API Management', 'Integration', ['microsoft.apimanagement/service']],
  ['App Center', 'Developer Tools', ['microsoft.appcenter/accounts']],
  ['App Configuration', 'Developer Tools', ['microsoft.appconfiguration/configurationstores']],
  ['Application Gateway', 'Networking', ['microsoft.network/applicationgateways']],
  ['Application Gateway for Containers', 'Networking', ['microsoft.servicenetworking/trafficcontrollers']],
  ['Azure AI Bot Service', 'AI and Machine Learning', ['microsoft.botservice/botservices']],
  ['Azure AI Search', 'Web', ['microsoft.search/searchservices']],
  ['Azure AI Services', 'AI and Machine Learning', ['microsoft.cognitiveservices/accounts']],
  ['Azure AI Video Indexer', 'AI and Machine Learning', ['microsoft.videoindexer/accounts']],
  ['Azure Analysis Services', 'Analytics', ['microsoft.analysisservices/servers']],
  [
    'Azure App Service',
    'Web',
    [
      'microsoft.certificateregistration/certificateorders',
      'microsoft.domainregistration/domains',
      'microsoft.web/connections',
      'microsoft.web/containerapps',
      'microsoft.web/hostingenvironments',
      'microsoft.web/serverfarms',
      'microsoft.web/sites',
      'microsoft.web/staticsites',
      'microsoft.web.admin/role',
    ],
  ],
  [
    'Azure Arc',
    'Multicloud',
    [
      'microsoft.azurearcdata/postgresinstances',
      'microsoft.azurearcdata/sqlmanagedinstances',
      'microsoft.azurearcdata/sqlserveresulicenses',
      'microsoft.azurearcdata/sqlserverinstances',
      'microsoft.azurearcdata/sqlserverlicenses',
      'microsoft.hybridcompute/licenses',
      'microsoft.hybridcompute/machines',
      'microsoft.kubernetes/connectedclusters',
    ],
  ],
  ['Azure Automation', 'Integration', ['microsoft.automation/automationaccounts']],
  ['Azure Backup', 'Storage', ['microsoft.dataprotection/backupvaults']],
  ['Azure Bastion', 'Networking', ['microsoft.network/bastionhosts']],
  ['Azure Cache for Redis', 'Databases', ['microsoft.cache/redis', 'microsoft.cache/redisenterprise']],
  ['Azure Chaos Studio', 'Management and Governance', ['microsoft.chaos/experiments']],
  ['Azure Communication Services', 'Integration', ['microsoft.communication/communicationservices']],
  ['Azure Communitcations Gateway', 'Networking', ['microsoft.voiceservices/communicationsgateways']],
  ['Azure Confidential Ledger', 'Databases', ['microsoft.confidentialledger/ledgers', 'microsoft.confidentialledger/managedccfs']],
  [
    'Azure Container Apps',
    'Compute',
    ['microsoft.app/containerapps', 'microsoft.app/jobs', 'microsoft.app/managedenvironments', 'microsoft.app/sessionpools'],
  ],
  ['Azure Container Instances', 'Compute', ['microsoft.containerinstance/containergroups']],
  ['Azure Container Registry', 'Compute', ['microsoft.containerregistry/registries']],
  ['Azure Container Service', 'Compute', ['microsoft.containerservice/containerservices']],
  ['Azure Data Box', 'Storage', ['microsoft.databox/jobs', 'microsoft.databoxedge/databoxedgedevices']],
  ['Azure Data Explorer', 'Analytics', ['microsoft.kusto/clusters']],
  ['Azure Data Factory', 'Integration', ['microsoft.datafactory/datafactories', 'microsoft.datafactory/factories']],
  ['Azure Data Lake Analytics', 'Analytics', ['microsoft.datalakeanalytics/accounts']],
  ['Azure Data Lake Store', 'Storage', ['microsoft.datalakestore/accounts']],
  ['Azure Data Manager for Energy', 'Analytics', ['microsoft.openenergyplatform/energyservices']],
  ['Azure Data Share', 'Storage', ['microsoft.datashare/accounts']],
  ['Azure Database Migration Service', 'Migration', ['microsoft.datamigration/sqlmigrationservices']],
  ['Azure Databricks', 'Analytics', ['microsoft.databricks/workspaces']],
  ['Azure DB for MariaDB', 'Databases', ['microsoft.dbformariadb/servers']],
  ['Azure DB for MySQL', 'Databases', ['microsoft.dbformysql/flexibleservers', 'microsoft.dbformysql/servers']],
  [
    'Azure DB for PostgreSQL',
    'Databases',
    ['microsoft.dbforpostgresql/flexibleservers', 'microsoft.dbforpostgresql/servergroupsv2', 'microsoft.dbforpostgresql/servers'],
  ],
  ['Azure DDoS Protection', 'Networking', ['microsoft.network/ddosprotectionplans']],
  ['Azure Dedicated Host', 'Compute', ['microsoft.compute/hostgroups']],
  ['Azure Dedicated HSM', 'Security', ['microsoft.hardwaresecuritymodules/dedicatedhsms']],
  ['Azure Digital Twins', 'Internet of Things', ['microsoft.digitaltwins/digitaltwinsinstances']],
  ['Azure DNS', 'Networking', ['microsoft.network/dnsforwardingrulesets', 'microsoft.network/dnsresolvers', 'microsoft.network/dnszones']],
  ['Azure Elastic SAN', 'Storage', ['microsoft.elasticsan/elasticsans']],
  [
    'Azure ExpressRoute',
    'Networking',
    [
      'microsoft.network/expressroutecircuits',
      'microsoft.network/expressroutegateways',
      'microsoft.network/expressrouteports',
      'microsoft.networkfunction/azuretrafficcollectors',
    ],
  ],
  ['Azure FarmBeats', 'Internet of Things', ['microsoft.agfoodplatform/farmbeats']],
  ['Azure File Sync', 'Storage', ['microsoft.storagesync/storagesyncservices']],
  ['Azure Firewall', 'Networking', ['microsoft.network/azurefirewalls']],
  ['Azure Firewall Manager', 'Networking', ['microsoft.network/firewallpolicies']],
  ['Azure Fluid Relay', 'Web', ['microsoft.fluidrelay/fluidrelayservers']],
  ['Azure Front Door', 'Networking', ['microsoft.network/frontdoors', 'microsoft.network/frontdoorwebapplicationfirewallpolicies']],
  ['Azure Health Data Services', 'Analytics', ['microsoft.healthcareapis/services', 'microsoft.healthcareapis/workspaces']],
  ['Azure HPC Cache', 'Storage', ['microsoft.storagecache/amlfilesystems', 'microsoft.storagecache/caches']],
  ['Azure Import/Export', 'Storage', ['microsoft.importexport/jobs']],
  ['Azure Internet Analyzer', 'Networking', ['microsoft.network/internetanalyzerprofiles']],
  ['Azure IoT Central', 'Internet of Things', ['microsoft.iotcentral/iotapps']],
  [
    'Azure IoT Hub',
    'Internet of Things',
    ['microsoft.devices/iothubs', 'microsoft.devices/provisioningservices', 'microsoft.deviceupdate/accounts'],
  ],
  ['Azure Kubernetes Service', 'Compute', ['microsoft.containerservice/managedclusters']],
  ['Azure Lab Services', 'Compute', ['microsoft.labservices/labaccounts', 'microsoft.labservices/labs']],
  ['Azure Load Testing', 'Developer Tools', ['microsoft.loadtestservice/loadtests']],
  [
    'Azure Machine Learning',
    'AI and Machine Learning',
    [
      'microsoft.machinelearning/commitmentplans',
      'microsoft.machinelearning/workspaces',
      'microsoft.machinelearningservices/registries',
      'microsoft.machinelearningservices/workspaces',
    ],
  ],
  ['Azure Managed Applications', 'Other', ['microsoft.solutions/applications']],
  ['Azure Managed Grafana', 'Analytics', ['microsoft.dashboard/grafana']],
  ['Azure Maps', 'Web', ['microsoft.maps/accounts']],
  ['Azure Marketplace', 'Other', ['marketplace/account', 'microsoft.saas/resources', 'microsoft.saas/saasresources']],
  ['Azure Media Services', 'Media', ['microsoft.media/mediaservices', 'microsoft.media/videoanalyzers']],
  ['Azure Migrate', 'Migration', ['microsoft.migrate/movecollections']],
  ['Azure Modeling and Simulation Workbench', 'Analytics', ['microsoft.modsimworkbench/workbenches']],
  [
    'Azure Monitor',
    'Management and Governance',
    [
      'microsoft.insights/actiongroups',
      'microsoft.insights/components',
      'microsoft.insights/metricalerts',
      'microsoft.insights/pricings',
      'microsoft.insights/scheduledqueryrules',
      'microsoft.monitor/accounts',
      'microsoft.networkanalytics/dataconnectors',
      'microsoft.networkanalytics/dataproducts',
      'microsoft.operationalinsights/azurefirewall',
      'microsoft.operationalinsights/clusters',
      'microsoft.operationalinsights/networksecuritygroups',
      'microsoft.operationalinsights/p2svpngateways',
      'microsoft.operationalinsights/virtualnetworkgateways',
      'microsoft.operationalinsights/workspaces',
    ],
  ],
  ['Azure NAT Gateway', 'Networking', ['microsoft.network/natgateways']],
  ['Azure NetApp Files', 'Storage', ['microsoft.netapp/netappaccounts']],
  ['Azure Network Function Manager', 'Networking', ['microsoft.hybridnetwork/devices']],
  ['Azure Orbital', 'Networking', ['microsoft.orbital/groundstations', 'microsoft.orbital/spacecrafts', 'microsoft.orbital/terminals']],
  ['Azure Peering Service', 'Networking', ['microsoft.peering/peerings']],
  ['Azure PlayFab', 'Media', ['playfabbillingservice/*']],
  ['Azure Private 5G Core', 'Networking', ['microsoft.mobilenetwork/mobilenetworks', 'microsoft.mobilenetwork/packetcorecontrolplanes']],
  ['Azure Private Link', 'Networking', ['microsoft.network/privatednszones', 'microsoft.network/privateendpoints']],
  ['Azure Quantum', 'Compute', ['microsoft.quantum/workspaces']],
  ['Azure Relay', 'Integration', ['microsoft.relay/namespaces']],
  [
    'Azure Reservations',
    'Management and Governance',
    ['microsoft.capacity/reservationorders', 'microsoft.capacity/reservationorders/reservations'],
  ],
  [
    'Azure Savings Plan for Compute',
    'Compute',
    ['microsoft.billingbenefits/savingsplanorders', 'microsoft.billingbenefits/savingsplanorders/savingsplans'],
  ],
  ['Azure SignalR Service', 'Web', ['microsoft.signalrservice/signalr', 'microsoft.signalrservice/webpubsub']],
  ['Azure Site Recovery', 'Management and Governance', ['microsoft.recoveryservices/vaults']],
  ['Azure Site Recovery', 'Storage', ['microsoft.datareplication.admin/clusters']],
  ['Azure Spring Apps', 'Compute', ['microsoft.appplatform/spring']],
  [
    'Azure SQL Database',
    'Databases',
    [
      'microsoft.sql/instancepools',
      'microsoft.sql/locations',
      'microsoft.sql/managedinstances',
      'microsoft.sql/servers',
      'microsoft.sql/servers/databases',
    ],
  ],
  ['Azure Stack Edge', 'Multicloud', ['microsoft.edgeorder/orderitems']],
  ['Azure Stack HCI', 'Multicloud', ['microsoft.azurestackhci/clusters']],
  ['Azure StorSimple', 'Storage', ['microsoft.storsimple/managers']],
  ['Azure Stream Analytics', 'Analytics', ['microsoft.streamanalytics/clusters', 'microsoft.streamanalytics/streamingjobs']],
  ['Azure Synapse Analytics', 'Analytics', ['microsoft.synapse/workspaces']],
  ['Azure Time Series Insights', 'Internet of Things', ['microsoft.timeseriesinsights/environments']],
  ['Azure Virtual Desktop', 'Compute', ['microsoft.desktopvirtualization/hostpools']],
  ['Azure Virtual Network Manager', 'Networking', ['microsoft.network/networkmanagers']],
  ['Azure VMware Solution', 'Compute', ['microsoft.avs/privateclouds', 'microsoft.nutanix/nodes']],
  ['BareMetal Infrastructure', 'Compute', ['microsoft.baremetalinfrastructure/baremetalstorageinstances']],
  ['Batch', 'Compute', ['microsoft.batch/batchaccounts']],
  ['Citrix Virtual App Essentials', 'Compute', ['citrix.services/xenappessentials']],
  ['Citrix Virtual Desktop Essentials', 'Compute', ['citrix.services/xendesktopessentials']],
  ['Cloud Services', 'Compute', ['microsoft.compute/cloudservices']],
  ['Community Training', 'Business Applications', ['microsoft.community/communitytrainings']],
  ['Content Delivery Network', 'Networking', ['microsoft.cdn/cdnwebapplicationfirewallpolicies', 'microsoft.cdn/profiles']],
  [
    'Cosmos DB',
    'Databases',
    [
      'microsoft.documentdb/cassandraclusters',
      'microsoft.documentdb/databaseaccounts',
      'microsoft.documentdb/mongocluster',
      'microsoft.documentdb/mongoclusters',
    ],
  ],
  ['Data Catalog', 'Analytics', ['microsoft.datacatalog/catalogs']],
  ['Dynamics 365 Fraud Protection', 'Security', ['microsoft.dynamics365fraudprotection/instances']],
  [
    'Event Grid',
    'Integration',
    [
      'microsoft.eventgrid/domains',
      'microsoft.eventgrid/extensiontopics',
      'microsoft.eventgrid/namespaces',
      'microsoft.eventgrid/partnertopics',
      'microsoft.eventgrid/systemtopics',
      'microsoft.eventgrid/topics',
    ],
  ],
  ['Event Hubs', 'Integration', ['microsoft.eventhub/clusters', 'microsoft.eventhub/namespaces']],
  ['GitHub Enterprise Cloud', 'Developer Tools', ['github/enterpriseaccount', 'github.enterprise/accounts']],
  ['HDInsight', 'Analytics', ['microsoft.hdinsight/clusterpools', 'microsoft.hdinsight/clusters', 'microsoft.hdinsightfairfax/clusters']],
  ['Health Bot', 'AI and Machine Learning', ['microsoft.healthbot/healthbots']],
  ['Intelligent Recommendations', 'AI and Machine Learning', ['microsoft.recommendationsservice/accounts']],
  ['Key Vault', 'Security', ['microsoft.keyvault/hsmpools', 'microsoft.keyvault/managedhsms', 'microsoft.keyvault/vaults']],
  ['Load Balancer', 'Networking', ['microsoft.network/loadbalancers']],
  [
    'Logic Apps',
    'Integration',
    ['microsoft.logic/integrationaccounts', 'microsoft.logic/integrationserviceenvironments', 'microsoft.logic/workflows'],
  ],
  ['Managed DevOps Pools', 'Developer Tools', ['microsoft.devopsinfrastructure/pools']],
  ['Microsoft Autonomous Systems', 'AI and Machine Learning', ['microsoft.autonomousdevelopmentplatform/workspaces']],
  ['Microsoft Bing', 'Web', ['microsoft.bing/accounts']],
  ['Microsoft Copilot for Security', 'Security', ['microsoft.securitycopilot/capacities']],
  [
    'Microsoft Defender for Cloud',
    'Security',
    ['microsoft.easm/workspaces', 'microsoft.security/pricings', 'microsoft.security/securityconnectors'],
  ],
  ['Microsoft Defender for Endpoint', 'Management and Governance', ['microsoft.security/mdeservers']],
  ['Microsoft Defender for IoT', 'Internet of Things', ['microsoft.iotsecurity/defendersettings']],
  ['Microsoft Dev Box', 'Developer Tools', ['microsoft.devcenter/projects']],
  ['Microsoft Entra Domain Services', 'Identity', ['microsoft.aad/domainservices']],
  [
    'Microsoft Entra External Identities',
    'Identity',
    [
      'microsoft.azureactivedirectory/b2cdirectories',
      'microsoft.azureactivedirectory/ciamdirectories',
      'microsoft.azureactivedirectory/guestusages',
    ],
  ],
  ['Microsoft Entra ID', 'Identity', ['mfa/perauthentication', 'mfa/peruser']],
  ['Microsoft Genomics', 'Analytics', ['microsoft.genomics/accounts']],
  ['Microsoft Graph', 'Integration', ['microsoft.graph/accounts', 'microsoft.graphservices/accounts']],
  ['Microsoft Graph Data Connect', 'Integration', ['microsoft.graph/azureadapplications']],
  ['Microsoft Purview', 'Management and Governance', ['microsoft.purview/accounts']],
  ['Microsoft Syntex', 'AI and Machine Learning', ['microsoft.syntex/accounts', 'microsoft.syntex/documentprocessors']],
  ['Microsoft Teams', 'Business Applications', ['microsoft.teams/telephonyservices']],
  ['Microsoft.Fabric', 'Analytics', ['microsoft.fabric/capacities']],
  ['Network Watcher', 'Networking', ['microsoft.network/networkwatchers']],
  ['NGINX Plus', 'Networking', ['nginx.nginxplus/nginxdeployments']],
  ['Notification Hubs', 'Integration', ['microsoft.notificationhubs/namespaces']],
  ['Object Anchors', 'Media', ['microsoft.mixedreality/objectanchorsaccounts']],
  ['Playwright Testing', 'Developer Tools', ['microsoft.azureplaywrightservice/accounts']],
  ['Power BI Embedded', 'Analytics', ['microsoft.powerbidedicated/autoscalevcores', 'microsoft.powerbidedicated/capacities']],
  ['Power Platform', 'Integration', ['microsoft.powerplatform/accounts']],
  ['Remote Rendering', 'Media', ['microsoft.mixedreality/remoterenderingaccounts']],
  ['SAP on Azure', 'Compute', ['microsoft.hanaonazure/hanainstances']],
  ['Service Bus', 'Integration', ['microsoft.servicebus/namespaces']],
  ['Spatial Anchors', 'Media', ['microsoft.mixedreality/spatialanchorsaccounts']],
  ['Storage Accounts', 'Storage', ['microsoft.classicstorage/storageaccounts', 'microsoft.storage/storageaccounts']],
  ['Test Base for Microsoft 365', 'Developer Tools', ['microsoft.testbase/testbaseaccounts']],
  ['Traffic Manager', 'Networking', ['microsoft.network/trafficmanagerprofiles']],
  ['Trusted Signing', 'Developer Tools', ['microsoft.codesigning/codesigningaccounts']],
  [
    'Virtual Machines',
    'Compute',
    [
      'microsoft.classiccompute/domainnames',
      'microsoft.classiccompute/virtualmachines',
      'microsoft.compute/capacityreservationgroups',
      'microsoft.compute/disks',
      'microsoft.compute/galleries',
      'microsoft.compute/images',
      'microsoft.compute/restorepointcollections',
      'microsoft.compute/sharedvmimages',
      'microsoft.compute/snapshots',
      'microsoft.compute/virtualmachines',
      'microsoft.maintenance/maintenanceconfigurations',
    ],
  ],
  ['Virtual Machine Scale Sets', 'Compute', ['microsoft.compute/virtualmachinescalesets']],
  [
    'Virtual Network',
    'Networking',
    [
      'microsoft.classicnetwork/ipv4vip',
      'microsoft.classicnetwork/publicip',
      'microsoft.classicnetwork/publicipaddresses',
      'microsoft.network/connections',
      'microsoft.network/networkinterfaces',
      'microsoft.network/networksecuritygroups',
      'microsoft.network/networkvirtualappliances',
      'microsoft.network/publicipaddresses',
      'microsoft.network/publicipprefixes',
      'microsoft.network/virtualnetworkgateways',
      'microsoft.network/virtualnetworkgateways/connections',
      'microsoft.network/virtualnetworks',
    ],
  ],
  ['Virtual WAN', 'Networking', ['microsoft.network/virtualhubs']],
  ['Visual Studio', 'Developer Tools', ['microsoft.visualstudio/organizations']],
  ['VPN Gateway', 'Networking', ['microsoft.network/p2svpngateways', 'microsoft.network/vpngateways']],
  ['Windows for IoT', 'Internet of Things', ['microsoft.windowsiot/deviceservices']],
];

/** Defender plans are billed on microsoft.security/pricings; Services.csv names the protected service. */
const SERVICE_OVERRIDES = new Map<string, ServiceInfo>([
  ['appservices|microsoft.security/pricings', { name: 'Azure App Service', category: 'Web' }],
  ['containerregistry|microsoft.security/pricings', { name: 'Azure Container Registry', category: 'Compute' }],
  ['kubernetesservice|microsoft.security/pricings', { name: 'Azure Kubernetes Service', category: 'Compute' }],
  ['virtualmachines|microsoft.security/pricings', { name: 'Virtual Machines', category: 'Compute' }],
]);

interface ServiceInfo {
  name: string | null;
  category: string | null;
}

const SERVICE_BY_TYPE = new Map<string, ServiceInfo>();
/** Per namespace: the name and category all its types share (null where they differ). */
const SERVICE_BY_NAMESPACE = new Map<string, ServiceInfo>();
for (const [name, category, types] of SERVICES) {
  for (const type of types) {
    const ns = type.slice(0, type.indexOf('/'));
    if (!type.endsWith('/*')) SERVICE_BY_TYPE.set(type, { name, category });
    const seen = SERVICE_BY_NAMESPACE.get(ns);
    if (!seen) SERVICE_BY_NAMESPACE.set(ns, { name, category });
    else SERVICE_BY_NAMESPACE.set(ns, { name: seen.name === name ? name : null, category: seen.category === category ? category : null });
  }
}
const NO_SERVICE: ServiceInfo = { name: null, category: null };

/** Service name and FOCUS category for a ConsumedService and ARM resource type (both lower case). */
export function azureService(consumedService: string | null, resourceType: string | null): ServiceInfo {
  const cs = consumedService?.toLowerCase() ?? null;
  if (resourceType) {
    const hit = (cs && SERVICE_OVERRIDES.get(`${cs}|${resourceType}`)) || SERVICE_BY_TYPE.get(resourceType);
    if (hit) return hit;
    const ns = SERVICE_BY_NAMESPACE.get(resourceType.slice(0, resourceType.indexOf('/')));
    if (ns) return ns;
  }
  return (cs && SERVICE_BY_NAMESPACE.get(cs)) || NO_SERVICE;
}

/** `microsoft.compute/virtualmachines` from an ARM resource id (nested types joined: `microsoft.sql/servers/databases`). */
export function armResourceType(resourceId: string | null): string | null {
  if (!resourceId) return null;
  const at = resourceId.toLowerCase().lastIndexOf('/providers/');
  if (at < 0) return null;
  const parts = resourceId.slice(at + 11).split('/');
  if (parts.length < 3 || !parts[0]) return null;
  const types = [parts[0]];
  for (let i = 1; i < parts.length; i += 2) types.push(parts[i]);
  return types.join('/').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Charges and costs

/** ChargeType → FOCUS ChargeCategory, per Microsoft's conversion table ("otherwise Adjustment"). */
const CHARGE_CATEGORY: Record<string, string> = {
  usage: 'Usage',
  purchase: 'Purchase',
  credit: 'Credit',
  tax: 'Tax',
  unusedreservation: 'Usage',
  unusedsavingsplan: 'Usage',
  // Microsoft maps a refund to Purchase with ChargeClass Correction (a refund corrects a purchase);
  // this also keeps commitment refunds with the purchases when actual and amortized are merged.
  refund: 'Purchase',
};

const CHARGE_FREQUENCY: Record<string, string> = {
  onetime: 'One-Time',
  recurring: 'Recurring',
  usagebased: 'Usage-Based',
};

const PRICING_CATEGORY: Record<string, string> = {
  ondemand: 'Standard',
  spot: 'Dynamic',
  reservation: 'Committed',
  savingsplan: 'Committed',
};

const COMMITMENT_MODELS = new Set(['reservation', 'savingsplan']);
const COMMITMENT_SERVICES = new Set(['microsoft.capacity', 'microsoft.billingbenefits']);

/** Lower case without spaces, so `Savings Plan`, `SavingsPlan` and `savingsplan` compare equal. */
function token(value: string | null): string | null {
  return value === null ? null : value.replace(/\s+/g, '').toLowerCase();
}

function isZero(value: string): boolean {
  return /^[+-]?0*\.?0*(?:[eE][+-]?\d+)?$/.test(value);
}

/** AdditionalInfo is JSON (sometimes without its braces); anything else is kept as text. */
function parseAdditionalInfo(value: string): unknown {
  for (const candidate of value.startsWith('{') ? [value] : [value, `{${value}}`]) {
    try {
      return JSON.parse(candidate);
    } catch {}
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Dates

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function monthOf(day: string): [start: string, end: string] {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${day.slice(0, 7)}-01T00:00:00Z`, `${next}-01T00:00:00Z`];
}

/** The UTC calendar day of an Azure date cell (`09/21/2023`, `2023-09-21`, `2019-07-29 00:00:00`). */
function dayOf(value: string | null): string | null {
  const ts = timestamp(value);
  return ts === null ? null : utcDay(ts);
}

// ---------------------------------------------------------------------------------------------
// Reader

/**
 * Remembers the results of a pure function of one string. Exports repeat the same tag lists,
 * AdditionalInfo blobs and resource ids on many rows; parsing each once keeps the hot path fast.
 * Cached objects are shared between rows and frozen so that sharing is safe.
 */
function memo<T>(fn: (key: string) => T, limit = 20_000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let hit = cache.get(key);
    if (hit === undefined && !cache.has(key)) {
      hit = fn(key);
      if (hit !== null && typeof hit === 'object') Object.freeze(hit);
      if (cache.size >= limit) cache.clear();
      cache.set(key, hit);
    }
    return hit as T;
  };
}

function get(values: readonly (string | null)[], index: number): string | null {
  return index < 0 ? null : text(values[index]);
}

function lastSegment(resourceId: string | null): string | null {
  if (resourceId === null || !resourceId.includes('/')) return null;
  return text(resourceId.slice(resourceId.lastIndexOf('/') + 1));
}

export const azureReader: FormatReader = {
  id: 'azure',
  label: 'Azure Cost Management export',
  signature: SIGNATURE,

  detect(headers) {
    const keys = new Set(headers.map(azureHeaderKey));
    const has = (aliases: readonly string[]) => aliases.some((a) => keys.has(a));
    if (!has(FIELDS.cost) || !has(FIELDS.date)) return 0;
    if (!has(FIELDS.subscriptionId) && !has(FIELDS.meterCategory) && !has(FIELDS.consumedService)) return 0;
    const distinctive = DISTINCTIVE.filter((k) => keys.has(k)).length;
    return 50 + distinctive;
  },

  createMapper(headers: readonly string[], ctx: MapperContext): RecordMapper {
    const col = resolve(headers);
    const missing = (what: string, names: string) =>
      new IngestError(`${ctx.file}: this Azure export has no ${what} column (${names})`, { file: ctx.file, line: 1, code: 'BAD_FILE' });
    if (col.cost < 0) throw missing('cost', 'CostInBillingCurrency, Cost or PreTaxCost');
    if (col.date < 0) throw missing('date', 'Date or UsageDateTime');
    // Every amount travels with its currency: a file without one cannot be ingested correctly.
    if (col.currency < 0) throw missing('billing currency', 'BillingCurrencyCode, BillingCurrency or Currency');

    const dataset = ctx.dataset ?? 'actual';
    // The legacy usage-details schemas (PreTaxCost/UsageDateTime, no ChargeType column) hold usage
    // charges only; purchases and refunds came in separate reports. Newer schemas say it per row.
    const defaultChargeType = col.chargeType < 0 ? 'usage' : null;
    const hasExchangeRate = col.exchangeRate >= 0;

    const extras: [string, number][] = [];
    const index = new Map<string, number>();
    headers.forEach((h, i) => {
      const key = azureHeaderKey(h);
      if (!index.has(key)) index.set(key, i);
    });
    for (const [key, ...aliases] of EXTRAS) {
      const i = aliases.map((a) => index.get(a)).find((x) => x !== undefined);
      if (i !== undefined) extras.push([key, i]);
    }
    if (col.additionalInfo >= 0) extras.push(['AdditionalInfo', col.additionalInfo]);

    // Amounts from the raw value (decimal() refuses NaN, which get()'s text() reads as missing), errors naming the column.
    const amount = (values: readonly (string | null)[], index: number): string | null => {
      if (index < 0) return null;
      try {
        return decimal(values[index]);
      } catch (error) {
        if (error instanceof ValueError) throw new ValueError(`${headers[index]}: ${error.message}`);
        throw error;
      }
    };
    const tagsOf = memo(parseTags);
    const additionalInfoOf = memo(parseAdditionalInfo);
    const serviceOf = memo((key: string) => {
      const bar = key.indexOf('|');
      return azureService(key.slice(0, bar) || null, key.slice(bar + 1) || null);
    });
    const typeOf = memo(armResourceType);
    const chargeDays = new Map<string, [start: string, end: string] | null>();
    const chargePeriod = (raw: string | null): [string, string] | null => {
      if (raw === null) return null;
      let hit = chargeDays.get(raw);
      if (hit === undefined) {
        const day = dayOf(raw);
        hit = day === null ? null : [`${day}T00:00:00Z`, `${nextDay(day)}T00:00:00Z`];
        if (chargeDays.size > 10_000) chargeDays.clear();
        chargeDays.set(raw, hit);
      }
      return hit;
    };
    const periods = new Map<string, [start: string, end: string]>();
    const billingPeriod = (rawStart: string | null, rawEnd: string | null, chargeStart: string): [string, string] => {
      const key = `${rawStart}|${rawEnd}|${rawStart && rawEnd ? '' : chargeStart.slice(0, 7)}`;
      let hit = periods.get(key);
      if (hit === undefined) {
        hit = resolveBillingPeriod(rawStart, rawEnd, chargeStart);
        if (periods.size > 10_000) periods.clear();
        periods.set(key, hit);
      }
      return hit;
    };

    return (values) => {
      const cost = amount(values, col.cost);
      const chargeType = token(get(values, col.chargeType)) ?? defaultChargeType;
      const pricingModel = token(get(values, col.pricingModel));
      const consumedService = get(values, col.consumedService);
      const reservationId = get(values, col.reservationId);
      const benefitId = get(values, col.benefitId);

      const charge = chargePeriod(get(values, col.date));
      const period = charge ? billingPeriod(get(values, col.billingPeriodStart), get(values, col.billingPeriodEnd), charge[0]) : null;

      // Commitment rows, recognised as Microsoft's converter does (ConvertTo-FinOpsSchema.ps1).
      const isCommitment =
        (pricingModel !== null && COMMITMENT_MODELS.has(pricingModel)) ||
        reservationId !== null ||
        benefitId !== null ||
        (consumedService !== null && COMMITMENT_SERVICES.has(consumedService.toLowerCase()));
      const isUnused = chargeType === 'unusedreservation' || chargeType === 'unusedsavingsplan';
      const commitmentPurchase = isCommitment && (chargeType === 'purchase' || chargeType === 'refund');
      const commitmentUsage = isUnused || (isCommitment && chargeType === 'usage');

      // Actual and amortized exports have the same columns and describe the same charges; the
      // costs differ only for commitments. Rules (Microsoft, "Convert Cost Management data to FOCUS",
      // https://learn.microsoft.com/cloud-computing/finops/focus/convert, and the toolkit's
      // ConvertTo-FinOpsSchema.ps1, which also zeroes BilledCost of UnusedReservation/UnusedSavingsPlan):
      //   actual:    BilledCost = Cost. EffectiveCost = 0 for commitment purchases and refunds
      //              (ChargeType Purchase/Refund of a reservation or savings plan), null for
      //              commitment-covered usage (its amortized cost is not in this dataset), else Cost.
      //   amortized: EffectiveCost = Cost, except 0 for commitment purchases/refunds (the dataset
      //              should not have them; if it does, they are not amortized). BilledCost = 0 for
      //              commitment-covered usage and unused commitment rows (they are amortized slices
      //              of a purchase, not invoiced themselves), else Cost.
      // The pipeline keeps amortized rows for everything but purchases, which it takes from
      // actual: BilledCost then sums to the invoice and EffectiveCost to the amortized view.
      let billed: string | null = cost;
      let effective: string | null = cost;
      if (cost !== null) {
        if (dataset === 'actual') {
          if (commitmentPurchase) effective = '0';
          else if (commitmentUsage) effective = null;
        } else if (commitmentPurchase) {
          effective = '0';
        } else if (commitmentUsage) {
          billed = '0';
        }
      }

      const category = chargeType === null ? null : (CHARGE_CATEGORY[chargeType] ?? 'Adjustment');
      const frequency = token(get(values, col.frequency));

      const resourceId = get(values, col.resourceId);
      const givenType = get(values, col.resourceType);
      const resourceType = givenType ? givenType.toLowerCase() : resourceId === null ? null : typeOf(resourceId);
      const service = serviceOf(`${consumedService ?? ''}|${resourceType ?? ''}`);
      const region = azureRegion(get(values, col.location));

      const billingCurrency = currency(get(values, col.currency));
      const quantity = amount(values, col.quantity);
      const unit = get(values, col.unitOfMeasure);

      // ListUnitPrice: EA PayGPrice is in the billing currency; MCA PayGPrice is in the pricing
      // currency and Microsoft converts it with ExchangeRatePricingToBilling. Cost details leave
      // PayGPrice unpopulated (0) unless PricingModel is OnDemand, so a 0 there is not a list price.
      let listUnitPrice: string | null = null;
      const paygPrice = amount(values, col.paygPrice);
      if (paygPrice !== null && !(isZero(paygPrice) && pricingModel !== 'ondemand')) {
        if (!hasExchangeRate) listUnitPrice = paygPrice;
        else {
          const rate = amount(values, col.exchangeRate);
          // PayGPrice × exchange rate, exactly.
          if (rate !== null) listUnitPrice = multiplyDecimals(paygPrice, rate);
          else if (currency(get(values, col.pricingCurrency)) === billingCurrency) listUnitPrice = paygPrice;
        }
      }

      const commitmentId = benefitId ?? reservationId;
      let commitmentType: string | null = null;
      if (benefitId !== null) {
        const id = benefitId.toLowerCase();
        commitmentType = id.includes('/microsoft.capacity/')
          ? 'Reservation'
          : id.includes('/microsoft.billingbenefits/')
            ? 'Savings Plan'
            : null;
      }
      if (commitmentType === null && commitmentId !== null) {
        commitmentType =
          reservationId !== null || pricingModel === 'reservation' ? 'Reservation' : pricingModel === 'savingsplan' ? 'Savings Plan' : null;
      }
      let commitmentStatus: string | null = null;
      if (isUnused) commitmentStatus = 'Unused';
      // Microsoft keys "Used" on PricingModel; older EA rows leave it empty but name the reservation,
      // and FOCUS requires a status on every usage row that has a commitment discount id.
      else if (category === 'Usage' && ((pricingModel !== null && COMMITMENT_MODELS.has(pricingModel)) || commitmentId !== null)) {
        commitmentStatus = 'Used';
      }

      const rawTags = get(values, col.tags);
      const tags = rawTags === null ? null : tagsOf(rawTags);
      let extra: Record<string, unknown> | null = null;
      for (const [key, i] of extras) {
        const v = get(values, i);
        if (v === null) continue;
        extra ??= {};
        extra[key] = key === 'AdditionalInfo' ? additionalInfoOf(v) : v;
      }

      const row: CostRow = {
        provider_name: 'Microsoft',
        publisher_name: get(values, col.publisherName) ?? 'Microsoft',
        // CSP (Microsoft Partner Agreement) customers are invoiced by their partner.
        invoice_issuer_name: get(values, col.partnerName) ?? 'Microsoft',
        // Microsoft: EA → BillingAccountId; MCA → BillingProfileId (invoices are per billing
        // profile). EA rows carry the enrollment as BillingProfileId too, so the profile wins.
        billing_account_id: get(values, col.billingProfileId) ?? get(values, col.billingAccountId),
        billing_account_name: get(values, col.billingProfileName) ?? get(values, col.billingAccountName),
        sub_account_id: get(values, col.subscriptionId),
        sub_account_name: get(values, col.subscriptionName),
        invoice_id: get(values, col.invoiceId),
        billing_period_start: period ? period[0] : null,
        billing_period_end: period ? period[1] : null,
        charge_period_start: charge ? charge[0] : null,
        charge_period_end: charge ? charge[1] : null,
        charge_category: category,
        charge_class: chargeType === 'refund' ? 'Correction' : null,
        charge_description: get(values, col.productName),
        // FOCUS 1.2 allows only these three; Microsoft's "Other" for anything else is left null.
        charge_frequency: frequency === null ? null : (CHARGE_FREQUENCY[frequency] ?? null),
        service_name: service.name ?? get(values, col.meterCategory) ?? get(values, col.serviceName) ?? consumedService,
        service_category: service.category,
        region_id: region.id,
        region_name: region.name,
        availability_zone: get(values, col.availabilityZone),
        resource_id: resourceId,
        // Microsoft: EA ResourceName; MCA (no such column) the last segment of ResourceId.
        resource_name: get(values, col.resourceName) ?? lastSegment(resourceId),
        resource_type: resourceType,
        // Microsoft: SkuId = ProductId (MCA; EA exports have none); SkuPriceId is not available.
        sku_id: get(values, col.productId),
        pricing_category: pricingModel === null ? null : (PRICING_CATEGORY[pricingModel] ?? null),
        list_unit_price: listUnitPrice,
        contracted_unit_price: amount(values, col.unitPrice),
        // Microsoft: ConsumedQuantity/ConsumedUnit only for ChargeType Usage.
        consumed_quantity: chargeType === 'usage' ? quantity : null,
        consumed_unit: chargeType === 'usage' ? unit : null,
        // Microsoft: ListCost = PaygCostInBillingCurrency (MCA); not available in EA exports.
        list_cost: amount(values, col.paygCost),
        billed_cost: billed,
        effective_cost: effective,
        billing_currency: billingCurrency,
        commitment_discount_id: commitmentId,
        commitment_discount_type: commitmentType,
        commitment_discount_category: commitmentType === 'Reservation' ? 'Usage' : commitmentType === 'Savings Plan' ? 'Spend' : null,
        commitment_discount_status: commitmentStatus,
        // Microsoft: PricingCurrency (also kept in extras under its export name).
        pricing_currency: get(values, col.pricingCurrency),
        tags,
        extras: extra,
        cost_dataset: dataset,
      };
      return row;
    };
  },
};

/**
 * BillingPeriodStart/End from BillingPeriodStartDate/EndDate. Azure writes the end as the last day
 * of the period; FOCUS ends are exclusive, so Microsoft adds one day. An end already on the first
 * of a later month after a start on the first is taken as exclusive as it stands.
 * Exports without these columns (the legacy usage-details schemas, several MCA/CSP downloads) get
 * the calendar month of the charge date: Azure's monthly billing period for these accounts is the
 * calendar month the usage falls in.
 */
function resolveBillingPeriod(rawStart: string | null, rawEnd: string | null, chargeStart: string): [string, string] {
  const startDay = dayOf(rawStart);
  const endDay = dayOf(rawEnd);
  if (startDay === null) {
    if (endDay === null) return monthOf(chargeStart.slice(0, 10));
    return [monthOf(endDay)[0], `${nextDay(endDay)}T00:00:00Z`];
  }
  const start = `${startDay}T00:00:00Z`;
  if (endDay === null) return [start, monthOf(startDay)[1]];
  const exclusive = endDay > startDay && endDay.endsWith('-01') && startDay.endsWith('-01');
  return [start, `${exclusive ? endDay : nextDay(endDay)}T00:00:00Z`];
}
