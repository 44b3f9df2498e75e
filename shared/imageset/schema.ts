import { z } from 'zod';

/**
 * What Ferry read from an ImageSetConfiguration, as transfer.json records it (`requested.imageSet`). Apart from
 * the reader (config.ts) so that the manifest schema does not bring the YAML parser to every reader of it.
 */
const versionRange = { minVersion: z.string().min(1).optional(), maxVersion: z.string().min(1).optional() };

/** What Ferry read from the file: recorded in transfer.json as the effective configuration. */
export const imageSetConfigSchema = z.object({
  /** oc-mirror's archiveSize: the largest archive, in GiB (Ferry's volume size). */
  archiveSizeGiB: z.number().int().positive().optional(),
  platform: z
    .object({
      channels: z.array(
        z.object({
          name: z.string().min(1),
          ...versionRange,
          shortestPath: z.boolean(),
          /** oc-mirror: every release of the channel (from minVersion), not only the head. */
          full: z.boolean(),
        }),
      ),
      architectures: z.array(z.string().min(1)),
      release: z.string().min(1).optional(),
      /** oc-mirror: carry the graph-data image for the OpenShift Update Service. */
      graph: z.boolean().optional(),
    })
    .optional(),
  operators: z.array(
    z.object({
      catalog: z.string().min(1),
      packages: z.array(z.object({ name: z.string().min(1), ...versionRange, channels: z.array(z.object({ name: z.string().min(1), ...versionRange })) })),
      /** oc-mirror adds the bundles the selection depends on unless this is set. */
      skipDependencies: z.boolean(),
    }),
  ),
  additionalImages: z.array(z.string().min(1)),
  blockedImages: z.array(z.string().min(1)),
});

export type ImageSetConfig = z.infer<typeof imageSetConfigSchema>;
export type ReleaseChannelSpec = NonNullable<ImageSetConfig['platform']>['channels'][number];
export type OperatorPackageSpec = ImageSetConfig['operators'][number]['packages'][number];
