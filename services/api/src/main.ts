#!/usr/bin/env node
/**
 * `wharf-api`: reads the environment (the only place that does), starts the api, and stops it
 * on SIGINT/SIGTERM. Exit codes: 0 clean stop or `--help`, 1 startup failure, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isWharfError } from '@wharf/model';
import { createLogger, installShutdown } from '@wharf/observability';
import { zkTlsFromEnv } from '@wharf/zk';
import { helpText, configFromEnv } from './config';
import { startApi } from './server';
import { versionsFromStackPacks } from './stack-versions';

/** A second signal or a stuck shutdown ends the process after this long anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function main(argv: string[]): Promise<void> {
  const version = packageVersion();
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText(version));
    return;
  }
  if (argv.length > 0) {
    process.stderr.write(`wharf-api: unknown argument ${JSON.stringify(argv[0])}\n\n${helpText(version)}`);
    process.exit(2);
  }
  let config;
  try {
    config = configFromEnv(process.env, { hostname: hostname(), pid: process.pid });
  } catch (err) {
    process.stderr.write(`wharf-api: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const logger = createLogger({ service: 'api', level: config.logLevel, context: { id: config.id } });
  let api;
  try {
    api = await startApi({
      config,
      logger,
      version,
      supportedVersions: versionsFromStackPacks(),
      print: (text) => process.stdout.write(text),
      pid: process.pid,
      // Secure mode (mutual TLS, ACLs by role) when WHARF_ZK_TLS_CA/_CERT/_KEY are set.
      zkTls: zkTlsFromEnv(process.env),
    });
  } catch (err) {
    logger.error('api failed to start', { err, code: isWharfError(err) ? err.code : undefined });
    process.exit(1);
  }
  const running = api;
  installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_TIMEOUT_MS,
    messages: { requested: 'api stopping', timedOut: null },
    close: () => running.close(),
  });
}

void main(process.argv.slice(2));
