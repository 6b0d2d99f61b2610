// Validates Backstage entities with Backstage's own libraries, as the catalog and the scaffolder do:
// the catalog's default entity policies, then the kind validators of @backstage/catalog-model and
// @backstage/plugin-scaffolder-common. stdin: JSON [{path, entity}]; stdout: JSON {path: error}.
const model = require('@backstage/catalog-model');
const scaffolder = require('@backstage/plugin-scaffolder-common');

const policy = model.EntityPolicies.allOf([
  new model.DefaultNamespaceEntityPolicy(),
  new model.NoForeignRootFieldsEntityPolicy(),
  new model.FieldFormatEntityPolicy(),
  new model.SchemaValidEntityPolicy(),
]);
const validators = [
  model.componentEntityV1alpha1Validator,
  model.resourceEntityV1alpha1Validator,
  model.systemEntityV1alpha1Validator,
  model.groupEntityV1alpha1Validator,
  model.locationEntityV1alpha1Validator,
  model.domainEntityV1alpha1Validator,
  scaffolder.templateEntityV1beta3Validator,
];

async function check(entity) {
  const out = await policy.enforce(entity);
  if (!out) throw new Error('rejected by the entity policies');
  for (const v of validators) {
    if (await v.check(out)) return;
  }
  throw new Error(`no validator accepts ${entity.apiVersion} ${entity.kind}`);
}

(async () => {
  const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const errors = {};
  for (const { path, entity } of input) {
    try {
      await check(entity);
    } catch (e) {
      errors[path] = String(e && e.message ? e.message : e);
    }
  }
  process.stdout.write(JSON.stringify({ checked: input.length, errors }));
})();
