/**
 * Which CA the CLI trusts for an `https://` API, and where the API is when nothing says: `wharf
 * up --secure` serves the api over HTTPS with a certificate from the installation's CA and records
 * both in `$WHARF_HOME/run/platform.json` (`api_url`, `api_ca`). Order: `--ca <file>`, then
 * WHARF_API_CA, then the platform file's `api_ca`; none: the system's roots (an operator's own
 * certificate in front of the api, say).
 */
import { parsePlatformRecord, platformFilePath } from '@wharf/platform';
import { WharfError } from '@wharf/model';

/** A CA certificate (PEM) and where it came from, for error messages. */
export interface ApiCa {
  readonly pem: string;
  readonly source: string;
}

/** What the platform file of a home says about its api (both undefined when there is no file). */
export interface RecordedApi {
  readonly url?: string;
  readonly caFile?: string;
}

/** Reads `api_url` and `api_ca` from `<home>/run/platform.json`; a missing or broken file says nothing. */
export function recordedApi(home: string, readFile: (file: string) => string | undefined): RecordedApi {
  const text = readFile(platformFilePath(home));
  if (text === undefined) return {};
  try {
    const record = parsePlatformRecord(text);
    return { url: record.api_url, ...(record.api_ca === undefined ? {} : { caFile: record.api_ca }) };
  } catch {
    return {};
  }
}

/**
 * The CA to trust: `--ca`, WHARF_API_CA, else the recorded one. WHARF_VALIDATION when a named
 * file cannot be read or holds no PEM certificate (a typo must not silently fall back).
 */
export function resolveApiCa(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  recorded: RecordedApi,
  readFile: (file: string) => string | undefined,
): ApiCa | undefined {
  const named: [string, string | undefined][] = [
    ['--ca', option],
    ['WHARF_API_CA', env.WHARF_API_CA === '' ? undefined : env.WHARF_API_CA],
  ];
  for (const [name, file] of named) if (file !== undefined) return readCa(name, file, readFile);
  return recorded.caFile === undefined
    ? undefined
    : readCa('platform.json api_ca', recorded.caFile, readFile);
}

function readCa(name: string, file: string, readFile: (file: string) => string | undefined): ApiCa {
  const pem = readFile(file);
  if (pem === undefined || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new WharfError('WHARF_VALIDATION', `${name}: ${file} is not a readable PEM CA certificate`, {
      details: [{ path: name, message: `cannot read a PEM certificate from ${file}` }],
    });
  }
  return { pem, source: file };
}
