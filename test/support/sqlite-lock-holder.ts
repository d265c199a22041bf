/**
 * A child process that takes the write lock of the SQLite file argv[2] (`BEGIN EXCLUSIVE`) with the
 * sqlite3 package, prints `locked`, holds it for argv[3] ms, then commits and exits.
 */
import sqlite3 from 'sqlite3';

const [path, holdText] = process.argv.slice(2);
const db = new sqlite3.Database(path);
db.exec("PRAGMA journal_mode = WAL; BEGIN EXCLUSIVE; INSERT INTO meta (name, value) VALUES ('lock-holder', 'x') ON CONFLICT (name) DO UPDATE SET value = 'y';", (error) => {
  if (error) {
    console.error(error.message);
    process.exit(1);
  }
  console.log('locked');
  setTimeout(() => db.exec('COMMIT', () => db.close(() => process.exit(0))), Number(holdText));
});
