// Renders templates as the Backstage scaffolder's fetch:template does (its SecureTemplater: nunjucks,
// autoescape off, `${{ }}` as the variable tags, the step's values under `values`).
// stdin: JSON [{template, context}] (context: {values} for a skeleton, {parameters} for a step's input);
// stdout: JSON [text | {error}].
const nunjucks = require('nunjucks');

const env = new nunjucks.Environment(null, {
  autoescape: false,
  tags: { variableStart: '${{', variableEnd: '}}' },
});
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map(({ template, context }) => {
  try {
    return env.renderString(template, context);
  } catch (e) {
    return { error: e.message };
  }
});
process.stdout.write(JSON.stringify(out));
