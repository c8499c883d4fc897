// validate.mjs -- checks an OpenAPI document with two validators other programs
// use: swagger-parser (the OpenAPI 3.0 JSON Schema, $refs resolved) and Redocly's
// lint engine (the one `redocly lint` runs) with its "recommended" rules. Prints
// every problem; exits 1 on any error or warning.
//   node tests/openapi/validate.mjs openapi.json
import fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';

const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
let failed = false;

try {
  await SwaggerParser.validate(JSON.parse(text));
  console.log('swagger-parser: valid');
} catch (e) {
  failed = true;
  console.log('swagger-parser: ' + e.message);
}

// recommended, but info-license: the project has not chosen its licence yet
const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } });
const problems = await lintFromString({ source: text, absoluteRef: 'file://' + file, config });
for (const p of problems) {
  const where = p.location && p.location[0] && p.location[0].pointer ? p.location[0].pointer : '';
  console.log(`redocly ${p.severity} ${p.ruleId}: ${p.message} ${where}`);
  if (p.severity === 'error' || p.severity === 'warn') failed = true;
}
console.log(`redocly: ${problems.filter((p) => p.severity === 'error').length} errors, ` +
            `${problems.filter((p) => p.severity === 'warn').length} warnings`);
process.exit(failed ? 1 : 0);
