import packageJson from '../package.json';

/** Ferry's version, recorded in every transfer, receipt and report. */
export const FERRY_VERSION: string = packageJson.version;
