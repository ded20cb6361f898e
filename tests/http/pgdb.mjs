// A database of its own on the PostgreSQL cluster of KINTSUGI_PG_URL (as
// scripts/pg-test gives one), for the tests that run servers on
// PostgreSQL: the differential test and two processes on one database.

import { rand, runTool } from './harness.mjs';

async function psql(url, sql) {
  const r = await runTool('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-qAt', '-d', url, '-c', sql]);
  if (r.code !== 0) throw new Error(`psql ${sql}: ${r.code} ${r.stderr}`);
  return r.stdout;
}

/**
 * pgDatabase() - a fresh, empty database named prefix_<random> on the
 * cluster of url: {name, url (url with that database), drop()}.
 */
export async function pgDatabase(url, prefix = 'ktest') {
  const name = `${prefix}_${rand(10)}`;
  await psql(url, `CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => psql(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
