import 'reflect-metadata';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { dataSourceOptions } from './data-source';

/**
 * The data source of TypeORM's CLI (`npm run migration:generate`, against
 * DATABASE_URL). The app's options, with the entities of every feature found
 * by file name: the database layer imports no feature, and in the app each
 * feature module registers its own. Migrations are written by hand as plain
 * SQL; a generated one is a draft to compare with, not to commit as it is.
 */
const url = loadConfig().database.url;
if (!url) throw new Error('DATABASE_URL is required (postgres://user:password@host:port/database)');

export default new DataSource({
  ...dataSourceOptions(url, 2),
  entities: [path.join(__dirname, '..', '**', '*.entity.{ts,js}')],
});
