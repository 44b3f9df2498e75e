import { z } from 'zod';

/**
 * What the app remembers between sessions (the host keeps it as JSON in its data dir): the operator's
 * usual mirror, its CA (a public certificate), the folders last used and the theme. Never a secret:
 * unknown keys are refused (so no `password` or `pullSecret` can be added by mistake), and no value may
 * carry a pull secret's `auths` or a private key.
 */
const text = (max: number) => z.string().max(max).regex(/^[^\n\r]*$/, 'one line only');
const path = text(4096);

export const themeChoices = ['system', 'light', 'dark'] as const;

const SECRET_LOOKING = /"auths"\s*:|PRIVATE KEY/;

function noSecretInside(value: unknown): boolean {
  if (typeof value === 'string') return !SECRET_LOOKING.test(value);
  if (value !== null && typeof value === 'object') return Object.values(value).every(noSecretInside);
  return true;
}

export const settingsSchema = z
  .strictObject({
    /** HOST:PORT/NAMESPACE the last import went to. */
    mirror: text(500).optional(),
    /** The user name for it (the password stays in the secret store, referred to by name). */
    mirrorUsername: text(200).optional(),
    /** The CA the operator chose for the mirror: public, as shown to them with its fingerprint. */
    mirrorCa: z
      .strictObject({
        fingerprintSha256: text(200),
        subject: text(1000),
        pem: z.string().max(64 * 1024).regex(/^\s*-----BEGIN CERTIFICATE-----/, 'a PEM certificate'),
      })
      .optional(),
    /** A CA file last read by path on the host. */
    caPath: path.optional(),
    /** The folder media were last written to or read from: offered again, and where dialogs open. */
    mediaFolder: path.optional(),
    theme: z.enum(themeChoices).optional(),
  })
  .refine(noSecretInside, { message: 'Settings never hold a secret (a pull secret or a private key).' });

export type Settings = z.output<typeof settingsSchema>;
export type ThemeChoice = (typeof themeChoices)[number];
