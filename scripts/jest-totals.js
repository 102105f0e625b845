// Sums jest's JSON reports (test-results/jest*.json) into one plain line:
// "N passed, N failed[, N skipped]". Exits 1 when no test ran or a suite
// failed to run, so a broken test file cannot pass as "0 failed".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2] || 'test-results';
let passed = 0,
  failed = 0,
  skipped = 0,
  total = 0,
  brokenSuites = 0;
for (const f of fs.readdirSync(dir).filter((f) => /^jest.*\.json$/.test(f))) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests || 0);
  total += r.numTotalTests;
  brokenSuites += r.numRuntimeErrorTestSuites;
}
failed += brokenSuites;
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(total === 0 || brokenSuites > 0 ? 1 : 0);
