// Validates form data the way the Backstage scaffolder's forms do (react-jsonschema-form's ajv8 validator:
// Ajv 8, JSON Schema draft-07, allErrors, strict off so `ui:` keys are ignored), with the Ajv that
// @backstage/catalog-model installs. stdin: JSON [{schema, data}]; stdout: JSON [true|false|"error"].
const Ajv = require('ajv');

const ajv = new Ajv({ allErrors: true, multipleOfPrecision: 8, strict: false, verbose: true });
const compiled = new Map();
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map(({ schema, data }) => {
  const key = JSON.stringify(schema);
  try {
    if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
    return compiled.get(key)(data) === true;
  } catch (e) {
    return `schema error: ${e.message}`;
  }
});
process.stdout.write(JSON.stringify(out));
