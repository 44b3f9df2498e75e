/**
 * The ids of the cluster-configuration kinds (shared/config/kinds.ts holds the table). Apart, with no
 * imports, so the IPC contract can name them without bundling every generator into the preload.
 */
export const CONFIG_KIND_IDS = [
  'idms',
  'itms',
  'icsp',
  'install-config',
  'image-config',
  'ca-configmap',
  'signature-configmap',
  'registries-conf',
  'policy-json',
  'catalog-source',
  'cluster-catalog',
  'catalog-idms',
  'catalog-itms',
  'update-service',
  'cluster-version-upstream',
] as const;
export type ConfigKindId = (typeof CONFIG_KIND_IDS)[number];
