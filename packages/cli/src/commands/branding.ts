/**
 * `wharf branding show|set`: the white-label branding (`/platform/configuration/branding`) — the
 * name the console and this CLI show, the console's primary colour and its logo. `set` changes
 * only what it is given: it reads the branding, applies the flags and writes the whole of it (the
 * stored logo stays unless `--logo` or `--remove-logo` says otherwise).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command } from 'commander';
import { MAX_LOGO_BYTES, WharfError } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { type GlobalOptions, act, type runner } from '../program';
import { type ClientFactory } from './tenancy-commands';

type Runner = ReturnType<typeof runner>;

/** The branding as `GET /platform/configuration/branding` answers it. */
export interface BrandingView {
  name: string;
  primary_color: string;
  logo: { url: string; media_type: string } | null;
  custom: boolean;
}

/** Options of `branding set`. */
export interface BrandingSetOptions {
  name?: string;
  logo?: string;
  removeLogo?: boolean;
  primaryColor?: string;
  json?: boolean;
}

const BRANDING_PATH = '/platform/configuration/branding';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The branding's name, or undefined when the api cannot say (for header lines; never throws). */
export async function brandingName(client: ApiClient): Promise<string | undefined> {
  try {
    return (await client.request<BrandingView>('GET', BRANDING_PATH)).body.name;
  } catch {
    return undefined;
  }
}

function print(view: BrandingView, json: boolean | undefined, ctx: CliContext): void {
  if (json) {
    ctx.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  const logo = view.logo === null ? 'none' : `${view.logo.media_type} (${view.logo.url})`;
  const lines = [
    `Name:          ${view.name}${view.custom ? '' : ' (default)'}`,
    `Primary color: ${view.primary_color}`,
    `Logo:          ${logo}`,
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** A logo file as the data URL the api takes: PNG by its signature, SVG otherwise. */
export async function logoDataUrl(file: string, ctx: CliContext): Promise<string> {
  const bytes = await readFile(resolve(ctx.cwd, file));
  if (bytes.length > MAX_LOGO_BYTES)
    throw new WharfError(
      'WHARF_VALIDATION',
      `logo: ${file} is ${bytes.length} bytes; at most ${MAX_LOGO_BYTES}`,
      {
        details: [{ path: 'logo', message: `must be at most ${MAX_LOGO_BYTES} bytes` }],
      },
    );
  const type = bytes.subarray(0, 8).equals(PNG_SIGNATURE) ? 'image/png' : 'image/svg+xml';
  return `data:${type};base64,${bytes.toString('base64')}`;
}

/** Runs `branding show`. */
export async function showBranding(
  client: ApiClient,
  options: GlobalOptions,
  ctx: CliContext,
): Promise<number> {
  print((await client.request<BrandingView>('GET', BRANDING_PATH)).body, options.json, ctx);
  return 0;
}

/** Runs `branding set`: the current branding with the given flags applied, written whole. */
export async function setBranding(
  client: ApiClient,
  options: BrandingSetOptions,
  ctx: CliContext,
): Promise<number> {
  if (options.logo !== undefined && options.removeLogo)
    throw new WharfError('WHARF_VALIDATION', '--logo and --remove-logo exclude each other', {
      details: [{ path: 'logo', message: 'give --logo or --remove-logo, not both' }],
    });
  const current = (await client.request<BrandingView>('GET', BRANDING_PATH)).body;
  const body = {
    name: options.name ?? current.name,
    primary_color: options.primaryColor ?? current.primary_color,
    ...(options.removeLogo ? { logo: null } : {}),
    ...(options.logo === undefined ? {} : { logo: await logoDataUrl(options.logo, ctx) }),
  };
  print((await client.request<BrandingView>('PUT', BRANDING_PATH, { body })).body, options.json, ctx);
  return 0;
}

/** Adds `wharf branding show|set` to `program`; `run` hands each exit code on. */
export function addBrandingCommands(
  program: Command,
  client: ClientFactory,
  ctx: CliContext,
  run: Runner,
): void {
  const branding = program
    .command('branding')
    .description('the white-label branding: the name, logo and colour the console and this CLI show');
  branding
    .command('show')
    .description('the name, primary colour and logo (readable without an API key)')
    .action(act(run, (o: GlobalOptions) => showBranding(client(o), o, ctx)));
  branding
    .command('set')
    .description('change the branding (platform-admin); what is not given stays as it is')
    .option('--name <name>', 'the name shown in the console and by the CLI (at most 64 characters)')
    .option('--primary-color <hex>', 'the console primary colour, #rgb or #rrggbb')
    .option(
      '--logo <file>',
      'an SVG or PNG file of at most 64 KiB (SVG without script or external references)',
    )
    .option('--remove-logo', 'remove the logo')
    .action(act(run, (o: BrandingSetOptions & GlobalOptions) => setBranding(client(o), o, ctx)));
}
